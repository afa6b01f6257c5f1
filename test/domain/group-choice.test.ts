import { describe, expect, it } from 'vitest';
import { chooseGroups, normalizeDomain, type GroupRule, type UserFacts } from '../../src/domain/group-choice.js';

const DEVS = { slug: 'developers', name: 'Developers' };
const QA = { slug: 'qa', name: 'QA' };
const CONTRACTORS = { slug: 'contractors', name: 'Contractors' };
const EU = { slug: 'eu', name: 'EU' };

const rule = (id: string, conditions: GroupRule['conditions'], action: GroupRule['action']): GroupRule => ({ id, name: id, conditions, action });

/** Overlapping on purpose: a subdomain rule before the exact one, a never-invite in between, a group rule last. */
const RULES: GroupRule[] = [
  rule('eu-subsidiary', [{ kind: 'email-domain', domains: ['eu.example.com'], includeSubdomains: true }], { kind: 'invite', groups: [EU] }),
  rule('contractors', [{ kind: 'email-domain', domains: ['contractor.example'], includeSubdomains: false }], { kind: 'never-invite' }),
  rule('example', [{ kind: 'email-domain', domains: ['example.com'], includeSubdomains: true }], { kind: 'invite', groups: [DEVS, QA] }),
  rule('idn', [{ kind: 'email-domain', domains: [normalizeDomain('Bücher.Example')!], includeSubdomains: false }], {
    kind: 'invite',
    groups: [CONTRACTORS],
  }),
  rule('jira-admins', [{ kind: 'jira-group', groups: ['Jira-Admins'] }], { kind: 'invite', groups: [QA] }),
  rule(
    'people-in-both',
    [
      { kind: 'account-type', accountTypes: ['atlassian'] },
      { kind: 'jira-group', groups: ['site-users'] },
    ],
    { kind: 'never-invite' },
  ),
];

const user = (facts: Partial<UserFacts>): UserFacts => ({ accountType: 'atlassian', email: null, jiraGroups: [], ...facts });

describe('choosing the groups of a user in one linked account', () => {
  it.each<[string, Partial<UserFacts>, string, string[] | 'skip']>([
    ['an exact domain', { email: 'mia@example.com' }, 'example', ['developers', 'qa']],
    ['an upper-case address', { email: 'MIA@EXAMPLE.COM' }, 'example', ['developers', 'qa']],
    ['a subdomain when subdomains count', { email: 'li@dev.example.com' }, 'example', ['developers', 'qa']],
    ['the first of two overlapping rules (the subsidiary before its parent)', { email: 'jo@paris.eu.example.com' }, 'eu-subsidiary', ['eu']],
    ['a never-invite rule on an exact domain', { email: 'x@contractor.example' }, 'contractors', 'skip'],
    ['no never-invite for its subdomain when subdomains do not count', { email: 'x@sub.contractor.example' }, 'defaults', ['developers']],
    ['an internationalised domain written in Unicode', { email: 'ana@bücher.example' }, 'idn', ['contractors']],
    ['an internationalised domain written in punycode', { email: 'ana@xn--bcher-kva.example' }, 'idn', ['contractors']],
    ['an internationalised domain in upper case', { email: 'ana@BÜCHER.EXAMPLE' }, 'idn', ['contractors']],
    ['a lookalike domain that only ends the same', { email: 'eve@notexample.com' }, 'defaults', ['developers']],
    ['no email: no domain rule matches', { email: null }, 'defaults', ['developers']],
    ['a Jira group, case aside', { jiraGroups: ['jira-admins'] }, 'jira-admins', ['qa']],
    ['groups not looked up: no group rule matches', { jiraGroups: null }, 'defaults', ['developers']],
    ['all conditions of a rule', { jiraGroups: ['site-users'] }, 'people-in-both', 'skip'],
    ['not all conditions of a rule', { jiraGroups: ['site-users'], accountType: null }, 'defaults', ['developers']],
  ])('matches %s', (_what, facts, chosenBy, expected) => {
    const decision = chooseGroups(user(facts), { defaultGroups: [DEVS], rules: RULES });
    expect(decision.chosenBy.kind === 'rule' ? decision.chosenBy.ruleId : decision.chosenBy.kind).toBe(chosenBy);
    if (expected === 'skip') {
      expect(decision.skip).toEqual({ reason: `The rule "${chosenBy}" says never to invite this user.`, reasonCode: 'rule-never-invite' });
    } else {
      expect(decision.skip).toBeNull();
      expect(decision.groups.map((g) => g.slug)).toEqual(expected);
    }
  });

  it.each(['app', 'customer'])('never invites an %s account, whatever a rule says', (accountType) => {
    const decision = chooseGroups(user({ accountType, email: 'bot@example.com' }), { defaultGroups: [DEVS], rules: RULES });
    expect(decision).toEqual({ groups: [DEVS], chosenBy: { kind: 'defaults' }, skip: expect.objectContaining({ reasonCode: 'not-a-person' }) });
  });

  it('falls back to the defaults, which may be none', () => {
    expect(chooseGroups(user({ email: 'a@elsewhere.org' }), { defaultGroups: [], rules: RULES })).toEqual({
      groups: [],
      chosenBy: { kind: 'defaults' },
      skip: null,
    });
  });

  it('never matches a rule without conditions', () => {
    const empty = rule('empty', [], { kind: 'never-invite' });
    expect(chooseGroups(user({}), { defaultGroups: [DEVS], rules: [empty] }).chosenBy).toEqual({ kind: 'defaults' });
  });

  it.each([
    ['Example.COM', 'example.com'],
    ['@example.com', 'example.com'],
    ['example.com.', 'example.com'],
    ['Bücher.example', 'xn--bcher-kva.example'],
    ['localhost', null],
    ['', null],
    ['exa mple.com', null],
  ])('normalises the domain %j to %j', (text, expected) => {
    expect(normalizeDomain(text)).toBe(expected);
  });
});

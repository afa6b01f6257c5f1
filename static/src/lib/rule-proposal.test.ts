import { describe, expect, it } from 'vitest';
import type { GroupRule, RuleInput } from '../api/types';
import { moved, rulesWith, sameOrder, toRuleInput } from './rule-proposal';

const partners: GroupRule = {
  id: 'r1',
  name: 'Partners',
  conditions: [{ kind: 'email-domain', domains: ['partner.example'], includeSubdomains: true }],
  action: { kind: 'invite', groups: [{ slug: 'qa', name: 'QA' }] },
};
const bots: GroupRule = { id: 'r2', name: 'Never', conditions: [{ kind: 'account-type', accountTypes: ['app'] }], action: { kind: 'never-invite' } };
const draft: RuleInput = {
  name: 'Designers',
  conditions: [{ kind: 'jira-group', groups: ['design'] }],
  action: { kind: 'invite', groups: ['designers'] },
};

describe('the rules list a preview proposes', () => {
  it('sends groups by slug', () => {
    expect(toRuleInput(partners).action).toEqual({ kind: 'invite', groups: ['qa'] });
    expect(toRuleInput(bots).action).toEqual({ kind: 'never-invite' });
  });

  it('adds a new rule at the end, and puts a changed rule in its own place', () => {
    expect(rulesWith([partners, bots], null, draft).map((r) => r.name)).toEqual(['Partners', 'Never', 'Designers']);
    expect(rulesWith([partners, bots], 'r1', draft).map((r) => r.name)).toEqual(['Designers', 'Never']);
  });

  it('moves a rule up or down, and leaves the list alone at its ends', () => {
    expect(moved([partners, bots], 1, -1)).toEqual([bots, partners]);
    expect(moved([partners, bots], 0, -1)).toEqual([partners, bots]);
    expect(sameOrder(moved([partners, bots], 1, 1), [partners, bots])).toBe(true);
    expect(sameOrder([bots, partners], [partners, bots])).toBe(false);
    expect(sameOrder([partners], [partners, bots])).toBe(false);
  });
});

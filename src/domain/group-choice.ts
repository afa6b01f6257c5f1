import { domainToASCII } from 'node:url';
import type { TargetGroup } from './model.js';
import type { ReasonCode } from './stores.js';

/*
 * Which groups of one linked account a Jira user is invited to: the account's rules, in order,
 * first match wins, else its default groups. Pure: no store, no Jira, no clock. Planning a new
 * user, and any preview or backfill over existing users, call `chooseGroups` with what they know.
 */

/** An email domain: `example.com` alone, or with `includeSubdomains` also `eu.example.com`. Stored in ASCII (punycode), lower case. */
export type EmailDomainCondition = { kind: 'email-domain'; domains: string[]; includeSubdomains: boolean };
/** Jira's accountType: 'atlassian' for people (app and customer accounts are never invited, whatever the rules say). */
export type AccountTypeCondition = { kind: 'account-type'; accountTypes: string[] };
/** Member of at least one of these Jira groups (by name, case aside), as Jira answers when the user is processed. */
export type JiraGroupCondition = { kind: 'jira-group'; groups: string[] };
export type RuleCondition = EmailDomainCondition | AccountTypeCondition | JiraGroupCondition;

export type RuleAction = { kind: 'invite'; groups: TargetGroup[] } | { kind: 'never-invite' };

/** One rule of a linked account: every condition must hold (a rule needs at least one). */
export type GroupRule = { id: string; name: string; conditions: RuleCondition[]; action: RuleAction };

/** Who chose an invitation's groups: the defaults, a rule of the account, or an administrator by hand. */
export type ChosenBy =
  | { kind: 'defaults' }
  | { kind: 'rule'; ruleId: string; ruleName: string }
  | { kind: 'manual'; actorAccountId: string }
  | { kind: 'review'; actorAccountId: string };

/** What is known of the user when the choice is made. */
export type UserFacts = {
  accountType: string | null;
  email: string | null;
  /**
   * The names of the user's Jira groups, or null when they were not looked up: then a rule with a
   * Jira group condition does not match. Look them up when `needsJiraGroups(settings.rules)`.
   */
  jiraGroups: readonly string[] | null;
};

/** What of a linked account decides. */
export type AccountSettings = { defaultGroups: TargetGroup[]; rules: GroupRule[] };

/**
 * The groups and who chose them, and whether the user is skipped instead (with the sentence and
 * code the skipped invitations keep). A skip still names the groups (the defaults for a built-in
 * exclusion or a "never invite" rule), so the history shows what was not sent. `groups` may be empty:
 * then nothing is recorded.
 */
export type GroupDecision = {
  groups: TargetGroup[];
  chosenBy: ChosenBy;
  skip: { reason: string; reasonCode: ReasonCode } | null;
};

/** Account types that are not people: Jira's bots and Jira Service Management customers. */
const NOT_PEOPLE: Record<string, string> = {
  app: 'This is an app (bot) account, not a person.',
  customer: 'This is a Jira Service Management customer account, not a licensed Jira user.',
};

/** Why a Jira account of this type gets no invitation, or null for a person. */
export function notAPersonReason(accountType: string | null): string | null {
  return accountType !== null && Object.hasOwn(NOT_PEOPLE, accountType) ? NOT_PEOPLE[accountType]! : null;
}

/**
 * Decides one user's groups in one linked account. Built-in exclusions first (app and customer
 * accounts, which no rule can bring in); then the first rule whose conditions all hold; else the
 * default groups. Missing email for a target that invites by email is not decided here: the
 * planner skips those invitations once it knows Jira has no address to give.
 */
export function chooseGroups(user: UserFacts, settings: AccountSettings): GroupDecision {
  const defaults: GroupDecision = { groups: settings.defaultGroups, chosenBy: { kind: 'defaults' }, skip: null };
  const notAPerson = notAPersonReason(user.accountType);
  if (notAPerson) return { ...defaults, skip: { reason: notAPerson, reasonCode: 'not-a-person' } };
  const rule = settings.rules.find((candidate) => matches(candidate, user));
  if (!rule) return defaults;
  const chosenBy: ChosenBy = { kind: 'rule', ruleId: rule.id, ruleName: rule.name };
  if (rule.action.kind === 'invite') return { groups: rule.action.groups, chosenBy, skip: null };
  return {
    groups: settings.defaultGroups,
    chosenBy,
    skip: { reason: `The rule "${rule.name}" says never to invite this user.`, reasonCode: 'rule-never-invite' },
  };
}

/** Whether a rule asks about Jira group membership: only then is Jira asked for the user's groups. */
export function needsJiraGroups(rules: readonly GroupRule[]): boolean {
  return rules.some((rule) => rule.conditions.some((condition) => condition.kind === 'jira-group'));
}

/** Whether a rule asks about the email domain: then the address is looked up even for a target that adds by account id. */
export function needsEmailForRules(rules: readonly GroupRule[]): boolean {
  return rules.some((rule) => rule.conditions.some((condition) => condition.kind === 'email-domain'));
}

/**
 * A domain as rules compare it: trimmed, without a leading "@" or trailing dot, lower case, and in
 * ASCII (an internationalised domain as punycode, "bücher.example" → "xn--bcher-kva.example").
 * Null when it is no valid domain.
 */
export function normalizeDomain(text: string): string | null {
  const trimmed = text.trim().replace(/^@/, '').replace(/\.$/, '');
  if (trimmed === '' || !trimmed.includes('.')) return null;
  const ascii = domainToASCII(trimmed.toLowerCase());
  return ascii === '' ? null : ascii;
}

/** The part of an address after its last "@", as normalizeDomain gives it. */
export function emailDomain(email: string): string | null {
  const at = email.lastIndexOf('@');
  return at < 0 ? null : normalizeDomain(email.slice(at + 1));
}

function matches(rule: GroupRule, user: UserFacts): boolean {
  return rule.conditions.length > 0 && rule.conditions.every((condition) => holds(condition, user));
}

function holds(condition: RuleCondition, user: UserFacts): boolean {
  switch (condition.kind) {
    case 'email-domain': {
      const domain = user.email ? emailDomain(user.email) : null;
      if (!domain) return false;
      return condition.domains.some((wanted) => {
        const rule = normalizeDomain(wanted);
        if (!rule) return false;
        return domain === rule || (condition.includeSubdomains && domain.endsWith(`.${rule}`));
      });
    }
    case 'account-type':
      return user.accountType !== null && condition.accountTypes.includes(user.accountType);
    case 'jira-group': {
      if (!user.jiraGroups) return false;
      const member = new Set(user.jiraGroups.map((name) => name.trim().toLowerCase()));
      return condition.groups.some((name) => member.has(name.trim().toLowerCase()));
    }
  }
}

import { DomainError } from './errors.js';
import { normalizeDomain, type GroupRule, type RuleCondition } from './group-choice.js';
import { changeAccount, requireAccount, type Actor, type LinkedAccountDeps } from './linked-accounts.js';
import type { LinkedAccount, TargetGroup } from './model.js';
import type { InvitationTargets } from './ports.js';

/** A rule as the administrator sends it: groups by slug, domains as typed. */
export type RuleInput = {
  name: string;
  conditions: RuleCondition[];
  action: { kind: 'invite'; groups: string[] } | { kind: 'never-invite' };
};

export type RuleDeps = Pick<LinkedAccountDeps, 'linkedAccounts'> & { targets: InvitationTargets };

/** Enough for any real policy, few enough to read through on one page. */
export const MAX_RULES = 50;

export async function listRules(deps: RuleDeps, actor: Actor, accountId: string): Promise<GroupRule[]> {
  return (await requireAccount(deps, actor, accountId)).rules;
}

/** Adds a rule at `position` (0 = first; the end when left out). */
export async function addRule(deps: RuleDeps, actor: Actor, accountId: string, input: RuleInput, position?: number): Promise<GroupRule> {
  const rule: GroupRule = { id: globalThis.crypto.randomUUID(), name: '', conditions: [], action: { kind: 'never-invite' } };
  await changeAccount(deps, actor, accountId, (account) => {
    if (account.rules.length >= MAX_RULES)
      throw new DomainError('invalid', `A linked account can have at most ${MAX_RULES} rules. Remove one first.`);
    Object.assign(rule, checkedRule(deps, account, input, rule.id));
    const rules = [...account.rules];
    rules.splice(Math.min(position ?? rules.length, rules.length), 0, rule);
    return { changes: { rules }, audit: ruleAudit(actor, account, 'rule.added', null, { ...rule, position: rules.indexOf(rule) }) };
  });
  return rule;
}

export async function updateRule(deps: RuleDeps, actor: Actor, accountId: string, ruleId: string, input: RuleInput): Promise<GroupRule> {
  let updated: GroupRule | null = null;
  await changeAccount(deps, actor, accountId, (account) => {
    const index = indexOf(account, ruleId);
    const rule = checkedRule(deps, account, input, ruleId);
    updated = rule;
    const rules = account.rules.map((existing, i) => (i === index ? rule : existing));
    return { changes: { rules }, audit: ruleAudit(actor, account, 'rule.changed', account.rules[index], rule) };
  });
  return updated!;
}

export async function deleteRule(deps: RuleDeps, actor: Actor, accountId: string, ruleId: string): Promise<void> {
  await changeAccount(deps, actor, accountId, (account) => {
    const index = indexOf(account, ruleId);
    return {
      changes: { rules: account.rules.filter((_, i) => i !== index) },
      audit: ruleAudit(actor, account, 'rule.removed', account.rules[index], null),
    };
  });
}

/** Puts the rules in this order: every rule of the account, each once. */
export async function reorderRules(deps: RuleDeps, actor: Actor, accountId: string, ruleIds: string[]): Promise<GroupRule[]> {
  const account = await changeAccount(deps, actor, accountId, (current) => {
    const byId = new Map(current.rules.map((rule) => [rule.id, rule]));
    const unique = new Set(ruleIds);
    if (unique.size !== ruleIds.length || ruleIds.length !== current.rules.length || ruleIds.some((id) => !byId.has(id))) {
      throw new DomainError('invalid', 'Send every rule of this linked account once, in the new order. Reload the page: the rules may have changed.');
    }
    const rules = ruleIds.map((id) => byId.get(id)!);
    return {
      changes: { rules },
      audit: ruleAudit(actor, current, 'rule.reordered', current.rules.map(ruleLabel), rules.map(ruleLabel)),
    };
  });
  return account.rules;
}

/**
 * A whole list of rules as an administrator proposes it, checked as saving each would check it
 * (domains, groups, how many), for a preview: nothing is saved, and each gets an id of its own.
 */
export function proposedRules(targets: InvitationTargets, account: LinkedAccount, inputs: RuleInput[]): GroupRule[] {
  if (inputs.length > MAX_RULES) throw new DomainError('invalid', `A linked account can have at most ${MAX_RULES} rules.`);
  return inputs.map((input) => checkedRule({ targets }, account, input, globalThis.crypto.randomUUID()));
}

/**
 * The groups of an account these slugs name: a workspace's kept groups, an organization's groups
 * its searches showed, and any group already chosen as a default or by a rule.
 */
export function resolveGroups(targets: InvitationTargets, account: LinkedAccount, slugs: string[]): TargetGroup[] {
  const known = new Map<string, TargetGroup>();
  for (const group of [...account.groups, ...account.defaultGroups, ...account.rules.flatMap(ruleGroups)]) {
    if (!known.has(group.slug)) known.set(group.slug, { slug: group.slug, name: group.name });
  }
  const unique = [...new Set(slugs)];
  const unknown = unique.filter((slug) => !known.has(slug));
  if (unknown.length > 0) {
    const target = targets.of(account.targetType);
    const hint = target.groupListing === 'live' ? 'Search for the group again and tick it.' : 'Refresh the groups and try again.';
    throw new DomainError('invalid', `The ${target.noun} "${account.displayName}" has no group ${unknown.map((s) => `"${s}"`).join(', ')}. ${hint}`);
  }
  return unique.map((slug) => known.get(slug)!);
}

function ruleGroups(rule: GroupRule): TargetGroup[] {
  return rule.action.kind === 'invite' ? rule.action.groups : [];
}

function checkedRule(deps: Pick<RuleDeps, 'targets'>, account: LinkedAccount, input: RuleInput, id: string): GroupRule {
  const conditions = input.conditions.map((condition): RuleCondition => {
    if (condition.kind !== 'email-domain') return condition;
    const domains = condition.domains.map((text) => {
      const domain = normalizeDomain(text);
      if (!domain) throw new DomainError('invalid', `"${text}" is not an email domain: enter one like example.com.`);
      return domain;
    });
    return { ...condition, domains: [...new Set(domains)] };
  });
  if (input.action.kind === 'never-invite') return { id, name: input.name, conditions, action: { kind: 'never-invite' } };
  return { id, name: input.name, conditions, action: { kind: 'invite', groups: resolveGroups(deps.targets, account, input.action.groups) } };
}

function indexOf(account: LinkedAccount, ruleId: string): number {
  const index = account.rules.findIndex((rule) => rule.id === ruleId);
  if (index < 0) throw new DomainError('not-found', 'No rule with this id: it may have been removed. Reload the page.');
  return index;
}

const ruleLabel = (rule: GroupRule) => ({ id: rule.id, name: rule.name });

function ruleAudit(actor: Actor, account: LinkedAccount, action: string, before: unknown, after: unknown) {
  return { tenantId: actor.tenantId, actorAccountId: actor.accountId, action, subject: account.displayName, before, after };
}

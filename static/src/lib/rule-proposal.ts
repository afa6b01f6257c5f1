// The rules list an admin is about to save, as the preview and the save endpoints take it: groups by slug.
import type { GroupRule, RuleInput } from '../api/types';

export function toRuleInput(rule: GroupRule): RuleInput {
  return {
    name: rule.name,
    conditions: rule.conditions,
    action: rule.action.kind === 'invite' ? { kind: 'invite', groups: rule.action.groups.map((g) => g.slug) } : { kind: 'never-invite' },
  };
}

/** The account's rules with `input` in the place of rule `ruleId`, or added at the end when `ruleId` is null (as saving does). */
export function rulesWith(rules: GroupRule[], ruleId: string | null, input: RuleInput): RuleInput[] {
  const proposed = rules.map((rule) => (rule.id === ruleId ? input : toRuleInput(rule)));
  return ruleId === null ? [...proposed, input] : proposed;
}

/** Rule `index` moved by `by` places (−1 up, +1 down); the list as it was when it cannot move. */
export function moved<T>(items: T[], index: number, by: number): T[] {
  const to = index + by;
  if (index < 0 || index >= items.length || to < 0 || to >= items.length) return items;
  const next = [...items];
  const [item] = next.splice(index, 1);
  next.splice(to, 0, item!);
  return next;
}

/** Whether two lists of rules name the same rules in the same order. */
export const sameOrder = (a: GroupRule[], b: GroupRule[]) => a.length === b.length && a.every((rule, i) => rule.id === b[i]!.id);

// A rule as one sentence, as the Rules section lists it.
import type { GroupRule, RuleCondition } from '../api/types';

function conditionText(condition: RuleCondition): string {
  switch (condition.kind) {
    case 'email-domain':
      return `email domain is ${condition.domains.join(' or ')}${condition.includeSubdomains ? ' (or a subdomain)' : ''}`;
    case 'jira-group':
      return `member of the Jira group ${condition.groups.join(' or ')}`;
    case 'account-type':
      return `account type is ${condition.accountTypes.join(' or ')}`;
  }
}

export function ruleText(rule: GroupRule): string {
  const when = rule.conditions.map(conditionText).join(' and ');
  const then = rule.action.kind === 'invite' ? `invite to ${rule.action.groups.map((g) => g.name).join(', ')}` : 'never invite';
  return `When ${when}: ${then}.`;
}

// Typed calls of the invitation strategies' admin API (docs/admin-api.md): rules, Pending review, Invite someone now.
import type { ApiResult, HostBridge } from '../host/host-bridge';
import type { GroupOutcome, GroupRule, JiraUser, ManualInviteResult, PendingReviewPage, RuleInput } from './types';

const id = (value: string) => encodeURIComponent(value);

export function addRule(bridge: HostBridge, accountId: string, rule: RuleInput): Promise<ApiResult<{ rule: GroupRule }>> {
  return bridge.request('POST', `/api/linked-accounts/${id(accountId)}/rules`, rule);
}

export function updateRule(bridge: HostBridge, accountId: string, ruleId: string, rule: RuleInput): Promise<ApiResult<{ rule: GroupRule }>> {
  return bridge.request('PUT', `/api/linked-accounts/${id(accountId)}/rules/${id(ruleId)}`, rule);
}

export function deleteRule(bridge: HostBridge, accountId: string, ruleId: string): Promise<ApiResult<unknown>> {
  return bridge.request('DELETE', `/api/linked-accounts/${id(accountId)}/rules/${id(ruleId)}`);
}

export function reorderRules(bridge: HostBridge, accountId: string, ruleIds: string[]): Promise<ApiResult<{ rules: GroupRule[] }>> {
  return bridge.request('PUT', `/api/linked-accounts/${id(accountId)}/rules/order`, { ruleIds });
}

export function listPendingReview(bridge: HostBridge, query: { page: number; pageSize: number }): Promise<ApiResult<PendingReviewPage>> {
  return bridge.request('GET', `/api/pending-review?page=${query.page}&pageSize=${query.pageSize}`);
}

export function sendFromReview(
  bridge: HostBridge,
  accountId: string,
  jiraAccountId: string,
  groups?: string[],
): Promise<ApiResult<{ outcomes: GroupOutcome[] }>> {
  return bridge.request('POST', `/api/linked-accounts/${id(accountId)}/pending-review/${id(jiraAccountId)}/send`, groups ? { groups } : {});
}

export function skipFromReview(bridge: HostBridge, accountId: string, jiraAccountId: string): Promise<ApiResult<{ outcomes: GroupOutcome[] }>> {
  return bridge.request('POST', `/api/linked-accounts/${id(accountId)}/pending-review/${id(jiraAccountId)}/skip`, {});
}

export function searchJiraUsers(bridge: HostBridge, query: string): Promise<ApiResult<{ users: JiraUser[] }>> {
  return bridge.request('GET', `/api/jira-users?${new URLSearchParams({ query }).toString()}`);
}

export function inviteNow(
  bridge: HostBridge,
  request: { accountIds: string[]; targets: { linkedAccountId: string; groups: string[] }[] },
): Promise<ApiResult<{ results: ManualInviteResult[] }>> {
  return bridge.request('POST', '/api/invitations/manual', request);
}

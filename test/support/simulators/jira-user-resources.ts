import type { SimulatedUser } from './jira-connect-simulator.js';

/**
 * The user resources of Jira's REST API v3 that both simulated hosts serve the same way:
 * - GET /rest/api/3/user/search?query=&startAt=&maxResults= : users whose display name (any word)
 *   or email address starts with `query`, case aside; `query` is required (400 without it);
 *   maxResults defaults to 50 and is capped at 1000; the answer is a JSON array.
 * - GET /rest/api/3/user?accountId= : one user, 404 when unknown.
 * - GET /rest/api/3/user/groups?accountId= : [{name, groupId, self}], 404 when the user is unknown.
 * As on Jira, `emailAddress` is in a user only when the profile shows it.
 */
export function userResource(
  users: ReadonlyMap<string, SimulatedUser>,
  apiPath: string,
  params: URLSearchParams,
  siteUrl: string,
): { status: number; body: unknown } | null {
  if (apiPath === '/rest/api/3/user/search') {
    const query = (params.get('query') ?? '').trim().toLowerCase();
    if (query === '') return { status: 400, body: { errorMessages: ["The query parameter 'query' is required."] } };
    const startAt = Math.max(0, Number(params.get('startAt') ?? 0) || 0);
    const maxResults = Math.min(1000, Math.max(1, Number(params.get('maxResults') ?? 50) || 50));
    const found = [...users.values()].filter(
      (user) =>
        user.displayName
          .toLowerCase()
          .split(/\s+/)
          .some((word) => word.startsWith(query)) || (user.emailAddress ?? '').toLowerCase().startsWith(query),
    );
    return { status: 200, body: found.slice(startAt, startAt + maxResults).map((user) => userJson(user, siteUrl)) };
  }
  if (apiPath === '/rest/api/3/user' || apiPath === '/rest/api/3/user/groups') {
    const accountId = params.get('accountId');
    if (!accountId) return { status: 400, body: { errorMessages: ["The query parameter 'accountId' is required."] } };
    const user = users.get(accountId);
    if (!user) return { status: 404, body: { errorMessages: [`User with accountId ${accountId} does not exist`] } };
    if (apiPath === '/rest/api/3/user') return { status: 200, body: userJson(user, siteUrl) };
    return {
      status: 200,
      body: (user.groups ?? []).map((name) => ({
        name,
        groupId: `group-${Buffer.from(name).toString('hex')}`,
        self: `${siteUrl}/rest/api/3/group?groupname=${encodeURIComponent(name)}`,
      })),
    };
  }
  return null;
}

function userJson(user: SimulatedUser, siteUrl: string) {
  return {
    self: `${siteUrl}/rest/api/3/user?accountId=${encodeURIComponent(user.accountId)}`,
    accountId: user.accountId,
    accountType: user.accountType ?? 'atlassian',
    displayName: user.displayName,
    active: true,
    ...(user.emailVisible && user.emailAddress ? { emailAddress: user.emailAddress } : {}),
    timeZone: 'Etc/UTC',
    locale: 'en_US',
  };
}

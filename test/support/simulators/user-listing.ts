import type { SimulatedUser } from './jira-connect-simulator.js';

/**
 * Jira Cloud's "Get all users" (GET /rest/api/3/users/search), served alike by the Connect site
 * and by Forge's API host. As Jira answers it: a bare JSON array (no envelope, no total), every
 * account the site knows (inactive ones, apps and customers included), `startAt` and
 * `maxResults` (default 50, at most 1000 per page), `emailAddress` only when the profile shows it.
 * An empty page means the listing is over.
 */
export const USERS_SEARCH_PATH = '/rest/api/3/users/search';
const DEFAULT_PAGE = 50;
const MAX_PAGE = 1000;

export function listUsers(users: Iterable<SimulatedUser>, query: URLSearchParams, siteUrl: string): { status: number; body: unknown } {
  const startAt = whole(query.get('startAt'), 0);
  const maxResults = whole(query.get('maxResults'), DEFAULT_PAGE);
  if (startAt === null || maxResults === null) {
    return { status: 400, body: { errorMessages: ['startAt and maxResults must be whole numbers of 0 or more.'] } };
  }
  const page: unknown[] = [];
  let index = 0;
  for (const user of users) {
    if (page.length >= Math.min(maxResults, MAX_PAGE)) break;
    if (index++ < startAt) continue;
    page.push({
      self: `${siteUrl}/rest/api/3/user?accountId=${encodeURIComponent(user.accountId)}`,
      accountId: user.accountId,
      accountType: user.accountType ?? 'atlassian',
      displayName: user.displayName,
      active: user.active ?? true,
      ...(user.emailVisible && user.emailAddress ? { emailAddress: user.emailAddress } : {}),
      avatarUrls: {},
    });
  }
  return { status: 200, body: page };
}

function whole(value: string | null, fallback: number): number | null {
  if (value === null || value === '') return fallback;
  return /^\d+$/.test(value) ? Number(value) : null;
}

import { z } from 'zod';
import { TargetError, type TargetFailureKind } from '../../domain/errors.js';
import { parseRetryAfter } from '../retry-after.js';
import { OrganizationRefusal, type OrganizationRefusalKind } from './organization-refusal.js';

/** What the client keeps of an HTTP answer. */
export type AdminResponse = { status: number; ok: boolean; headers: Headers; body: string };

/** Atlassian's words from an error body: its error codes (ADMIN-409-3 ...) and one line of text. */
export type AdminSaid = { codes: string[]; text: string | null };

const MAX_TEXT_LENGTH = 300;

/**
 * The Admin API answers errors in two envelopes: `{errors: [{code, status, title, detail}]}` from
 * the organization services, and `{timestamp, path, status, error, message}` (or `{code, message}`
 * for a refused key) from the gateway in front of them. Both are read; anything else is ignored.
 */
const ErrorBody = z.object({
  errors: z
    .array(z.object({ code: z.string().nullish(), title: z.string().nullish(), detail: z.string().nullish() }))
    .nullish()
    .catch(null),
  message: z.string().nullish().catch(null),
  error: z.string().nullish().catch(null),
});

export function readSaid(body: string): AdminSaid {
  const text = body.trim();
  if (text === '') return { codes: [], text: null };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // HTML error pages from a proxy or load balancer say nothing an admin can act on.
    return { codes: [], text: text.startsWith('<') ? null : oneLine(text) };
  }
  const parsed = ErrorBody.safeParse(json);
  if (!parsed.success) return { codes: [], text: typeof json === 'string' ? oneLine(json) : null };
  const errors = parsed.data.errors ?? [];
  const codes = errors.flatMap((e) => (e.code ? [e.code.toUpperCase()] : []));
  const words = errors.map((e) => [e.title, e.detail].filter(Boolean).join(': ')).filter((w) => w !== '');
  const said = words.length > 0 ? words.join('; ') : (parsed.data.message ?? parsed.data.error ?? null);
  return { codes, text: said ? oneLine(said) : null };
}

function oneLine(text: string): string | null {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line === '') return null;
  return line.length > MAX_TEXT_LENGTH ? `${line.slice(0, MAX_TEXT_LENGTH - 1)}…` : line;
}

export function kindForStatus(status: number): TargetFailureKind {
  if (status === 401) return 'credentials-rejected';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 429) return 'rate-limited';
  if (status >= 500) return 'unavailable';
  // 3xx lands here too: the client does not follow redirects (they would carry the API key elsewhere).
  return 'rejected';
}

/**
 * How long the Admin API asks to wait. Retry-After first (seconds or an HTTP date); else
 * X-RateLimit-Reset, which Atlassian documents as an ISO 8601 UTC time. A Unix time or a delay
 * in seconds is accepted too, as other Atlassian gateways send those.
 */
export function waitFromHeaders(headers: Headers, now: number = Date.now()): number | null {
  const retryAfter = parseRetryAfter(headers.get('retry-after'), now);
  if (retryAfter !== null) return retryAfter;
  const reset = headers.get('x-ratelimit-reset')?.trim();
  if (!reset) return null;
  if (/^\d+(\.\d+)?$/.test(reset)) {
    const value = Number(reset);
    // Large numbers are Unix times (in milliseconds or seconds); small ones a delay in seconds.
    if (value > 1e12) return Math.max(0, Math.round(value - now));
    if (value > 1e9) return Math.max(0, Math.round(value * 1000 - now));
    return Math.round(value * 1000);
  }
  const at = Date.parse(reset);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

function summary(kind: TargetFailureKind, status: number, retryAfterMs: number | null): string {
  switch (kind) {
    case 'credentials-rejected':
      return `Atlassian Administration rejected the API key (HTTP ${status}): it is wrong, revoked or expired. Create a new organization API key in Atlassian Administration and enter it here`;
    case 'forbidden':
      return `the API key is valid but may not manage this organization (HTTP ${status}). Use an API key created by an organization admin of this organization`;
    case 'not-found':
      return `Atlassian Administration answered "not found" (HTTP ${status})`;
    case 'rate-limited':
      return retryAfterMs === null
        ? `Atlassian Administration's rate limit was reached (HTTP ${status})`
        : `Atlassian Administration's rate limit was reached (HTTP ${status}); it asks to wait ${Math.ceil(retryAfterMs / 1000)} s`;
    case 'unavailable':
      return `Atlassian Administration is unavailable (HTTP ${status})`;
    case 'rejected':
      return `Atlassian Administration rejected the request (HTTP ${status})`;
  }
}

/** `action` reads like "Listing the directories of organization "…"". */
export function errorFromResponse(action: string, response: AdminResponse): TargetError {
  const kind = kindForStatus(response.status);
  const retryAfterMs = kind === 'rate-limited' || kind === 'unavailable' ? waitFromHeaders(response.headers) : null;
  const said = readSaid(response.body).text;
  const message = `${action} failed: ${summary(kind, response.status, retryAfterMs)}.${said ? ` Atlassian said: "${said}"` : ''}`;
  return new TargetError(kind, message, response.status, retryAfterMs);
}

const LICENCE_LIMIT_CODES = new Set(['ADMIN-409-3', 'ADMIN-UAM-409-3', 'ADMIN-400-32']);
const ALREADY_MEMBER_CODES = new Set(['ADMIN-UAM-409-2']);
const GROUP_NOT_MANAGEABLE_CODES = new Set(['ADMIN-403-5']);
const USER_NOT_FOUND_CODES = new Set(['ADMIN-404-8']);
const ORGANIZATION_NOT_FOUND_CODES = new Set(['ADMIN-404-2', 'ADMIN-UAM-404-2']);
const GROUP_NOT_FOUND_CODES = new Set(['ADMIN-404-10', 'ADMIN-UAM-404-3']);

const LICENCE_LIMIT_WORDS = /licen[cs]e (pool|limit|breach)|user limit|seat limit|too many licen[cs]e/i;
const ALREADY_MEMBER_WORDS = /already (a )?member|already (in|belongs to)|already exists/i;
const NOT_A_MEMBER_WORDS = /not (a )?member|is not in (the|this) group|membership not found/i;
const SYNCED_WORDS = /synced|identity provider|externally managed|managed externally|\bscim\b/i;
const ORG_ADMIN_WORDS = /\borg(anization)?[- ]?admins?\b/i;
const GROUP_NOT_MANAGEABLE_WORDS = /not allowed to manage the group/i;
const USER_NOT_IN_DIRECTORY_WORDS = /user[^.;]*not found|not (found )?in (the|this) directory/i;
const ORGANIZATION_NOT_FOUND_WORDS = /organi[sz]ation not found/i;
const GROUP_NOT_FOUND_WORDS = /group not found/i;

type Said = { codes: Set<string>; text: string };

function has(said: Said, codes: Set<string>, words: RegExp): boolean {
  return [...said.codes].some((c) => codes.has(c)) || words.test(said.text);
}

/** Statuses that are about the key, the quota or the service, never about one membership. */
function isServiceLevel(status: number): boolean {
  return status === 401 || status === 429 || status >= 500 || status < 400;
}

/** Refusals that can answer both adding and removing a member. */
function groupRefusal(status: number, said: Said): OrganizationRefusalKind | null {
  if (SYNCED_WORDS.test(said.text)) return 'synced-group';
  if (ORG_ADMIN_WORDS.test(said.text)) return 'admin-group';
  // A key without rights on the organization answers 403 too (ADMIN-403-3, or the gateway's
  // "Forbidden"); only a 403 naming the group is about the group.
  if (status === 403 && has(said, GROUP_NOT_MANAGEABLE_CODES, GROUP_NOT_MANAGEABLE_WORDS)) return 'group-not-manageable';
  return null;
}

/**
 * What a failed `POST .../memberships` means.
 *
 * UNCERTAIN (CONTRACTS §5): Atlassian documents the refusals (synced group, user limit, user in
 * another directory, org-admin group) but not their status codes or bodies. Read from its error-code
 * list and from integrations that met them: the licence limit is 409 ADMIN-409-3 (ADMIN-UAM-409-3
 * on the older service, 400 ADMIN-400-32 "too many licence breaches"); a user outside the directory
 * is a 404 "user not found" (ADMIN-404-8, or ADMIN-UAM-404-1 "One or more user not found in the
 * directory"); adding an existing member answers 204 (then it is indistinguishable from 'added',
 * which is fine) or 409 ADMIN-UAM-409-2. A synced or org-admin group is recognised by Atlassian's
 * words whatever the status, a 403 ADMIN-403-5 without them is 'group-not-manageable', and any
 * other 409 counts as already a member: a conflict on creating a membership is that it exists.
 */
export function classifyAddMemberFailure(response: AdminResponse): 'already-member' | OrganizationRefusalKind | null {
  if (isServiceLevel(response.status)) return null;
  const said = toSaid(readSaid(response.body));
  if (has(said, LICENCE_LIMIT_CODES, LICENCE_LIMIT_WORDS)) return 'user-limit';
  if (has(said, ALREADY_MEMBER_CODES, ALREADY_MEMBER_WORDS)) return 'already-member';
  const refusal = groupRefusal(response.status, said);
  if (refusal) return refusal;
  if (response.status === 404 && has(said, USER_NOT_FOUND_CODES, USER_NOT_IN_DIRECTORY_WORDS)) return 'not-in-directory';
  if (response.status === 409) return 'already-member';
  return null;
}

/**
 * What a failed `DELETE .../memberships/{accountId}` means.
 *
 * UNCERTAIN (CONTRACTS §5): the answer for an account that is not a member is not documented.
 * A 404 that does not name the organization or the group (user or membership not found), or a
 * 400/409 saying "not a member", means there is nothing to remove, which is what was wanted.
 */
export function classifyRemoveMemberFailure(response: AdminResponse): 'not-a-member' | OrganizationRefusalKind | null {
  if (isServiceLevel(response.status)) return null;
  const said = toSaid(readSaid(response.body));
  const refusal = groupRefusal(response.status, said);
  if (refusal) return refusal;
  if (response.status === 404) {
    const namesContainer =
      has(said, ORGANIZATION_NOT_FOUND_CODES, ORGANIZATION_NOT_FOUND_WORDS) || has(said, GROUP_NOT_FOUND_CODES, GROUP_NOT_FOUND_WORDS);
    return namesContainer ? null : 'not-a-member';
  }
  if ((response.status === 400 || response.status === 409) && NOT_A_MEMBER_WORDS.test(said.text)) return 'not-a-member';
  return null;
}

export function refusalFrom(refusal: OrganizationRefusalKind, response: AdminResponse): OrganizationRefusal {
  return new OrganizationRefusal(refusal, response.status, readSaid(response.body).text);
}

function toSaid(said: AdminSaid): Said {
  return { codes: new Set(said.codes), text: said.text ?? '' };
}

export function errorFromNetworkFailure(action: string, error: unknown, timeoutMs: number): TargetError {
  const reason = isTimeout(error)
    ? `Atlassian Administration did not answer within ${timeoutMs} ms`
    : `could not reach Atlassian Administration (${networkCause(error)})`;
  return new TargetError('unavailable', `${action} failed: ${reason}.`, null, null);
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/** undici wraps the socket error ("connect ECONNREFUSED 127.0.0.1:1") as the cause of "fetch failed". */
function networkCause(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string') return cause.code;
  if (cause instanceof Error && cause.message) return cause.message;
  return error instanceof Error ? error.message : String(error);
}

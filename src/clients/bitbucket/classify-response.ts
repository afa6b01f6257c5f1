import { TargetError, type TargetFailureKind } from '../../domain/errors.js';
import { parseRetryAfter } from '../retry-after.js';

const MAX_DETAIL_LENGTH = 300;

export function kindForStatus(status: number): TargetFailureKind {
  if (status === 401) return 'credentials-rejected';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 429) return 'rate-limited';
  if (status >= 500) return 'unavailable';
  // 3xx lands here too: the client does not follow redirects (they would carry credentials elsewhere).
  return 'rejected';
}

/**
 * Bitbucket's own words from an error body: `{"error": {"message", "detail"}}` on the API,
 * `{"error", "error_description"}` on the OAuth endpoint, or plain text.
 */
export function bitbucketMessage(body: string): string | null {
  const text = body.trim();
  if (text === '') return null;
  let message: string | null;
  try {
    message = messageFromJson(JSON.parse(text));
  } catch {
    // HTML error pages from a proxy or load balancer say nothing an admin can act on.
    message = text.startsWith('<') ? null : text;
  }
  if (message === null) return null;
  const oneLine = message.replace(/\s+/g, ' ').trim();
  if (oneLine === '') return null;
  return oneLine.length > MAX_DETAIL_LENGTH ? `${oneLine.slice(0, MAX_DETAIL_LENGTH - 1)}…` : oneLine;
}

function messageFromJson(json: unknown): string | null {
  if (typeof json === 'string') return json;
  if (!isRecord(json)) return null;
  const { error } = json;
  if (isRecord(error) && typeof error.message === 'string') {
    return typeof error.detail === 'string' && error.detail !== '' ? `${error.message} (${error.detail})` : error.message;
  }
  if (typeof json.error_description === 'string') return json.error_description;
  if (typeof error === 'string') return error;
  if (typeof json.message === 'string') return json.message;
  return null;
}

function summary(kind: TargetFailureKind, status: number, retryAfterMs: number | null): string {
  switch (kind) {
    case 'credentials-rejected':
      return `Bitbucket rejected the credentials (HTTP ${status})`;
    case 'forbidden':
      return `the credentials are valid but lack administrator rights on the workspace (HTTP ${status})`;
    case 'not-found':
      return `Bitbucket answered "not found" (HTTP ${status})`;
    case 'rate-limited':
      return retryAfterMs === null
        ? `Bitbucket's rate limit was reached (HTTP ${status})`
        : `Bitbucket's rate limit was reached (HTTP ${status}); it asks to wait ${Math.ceil(retryAfterMs / 1000)} s`;
    case 'unavailable':
      return `Bitbucket is unavailable (HTTP ${status})`;
    case 'rejected':
      return `Bitbucket rejected the request (HTTP ${status})`;
  }
}

/** `action` reads like "Listing the groups of Bitbucket workspace "acme"". */
export function errorFromResponse(action: string, status: number, retryAfter: string | null, body: string): TargetError {
  const kind = kindForStatus(status);
  const retryAfterMs = kind === 'rate-limited' || kind === 'unavailable' ? parseRetryAfter(retryAfter) : null;
  const said = bitbucketMessage(body);
  const message = `${action} failed: ${summary(kind, status, retryAfterMs)}.${said ? ` Bitbucket said: "${said}"` : ''}`;
  return new TargetError(kind, message, status, retryAfterMs);
}

export function errorFromNetworkFailure(action: string, error: unknown, timeoutMs: number): TargetError {
  const reason = isTimeout(error) ? `Bitbucket did not answer within ${timeoutMs} ms` : `could not reach Bitbucket (${networkCause(error)})`;
  return new TargetError('unavailable', `${action} failed: ${reason}.`, null, null);
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/** Admins read these messages; the bare codes mean little to them. */
const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed by the other side',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
};

/** undici wraps the socket error ("connect ECONNREFUSED 127.0.0.1:1") as the cause of "fetch failed". */
function networkCause(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (isRecord(cause) && typeof cause.code === 'string') {
    const words = NETWORK_CODES[cause.code];
    return words ? `${words}, ${cause.code}` : cause.code;
  }
  if (cause instanceof Error && cause.message) return cause.message;
  return error instanceof Error ? error.message : String(error);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

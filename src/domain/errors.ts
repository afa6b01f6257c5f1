/** Errors a use case raises on purpose; the HTTP adapters turn each kind into a status. */
export type DomainErrorKind = 'invalid' | 'not-found' | 'conflict' | 'upstream-rejected' | 'upstream-unavailable';

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/**
 * How a call to a target (Bitbucket) failed, classified once in the client so the
 * domain decides on meaning, not on status codes.
 */
export type TargetFailureKind =
  | 'credentials-rejected' // 401: the key/secret or token is wrong or revoked
  | 'forbidden' // 403: valid credentials without admin rights on the workspace
  | 'not-found' // 404: unknown workspace or group, or an admin-managed workspace refusing invitations
  | 'rate-limited' // 429
  | 'unavailable' // 5xx, timeouts, connection failures
  | 'rejected'; // any other 4xx

export class TargetError extends Error {
  constructor(
    readonly kind: TargetFailureKind,
    message: string,
    readonly status: number | null = null,
    /** When the target said how long to wait (Retry-After), in milliseconds. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'TargetError';
  }

  get retryable(): boolean {
    return this.kind === 'rate-limited' || this.kind === 'unavailable';
  }
}

/** Our own rate limit (shared by all instances) asks to wait longer than a job should block. */
export class ThrottledError extends Error {
  constructor(readonly waitMs: number) {
    super(`Waiting ${waitMs} ms for the workspace's rate limit`);
    this.name = 'ThrottledError';
  }
}

/**
 * Jira cannot answer the app now: it is unavailable or rate limiting (429, 5xx, timeout, no
 * connection), or it refused the app's credentials in a way a fresh credential cures (Forge sends
 * a new app token with the next event or page load). It is a DomainError of kind
 * 'upstream-unavailable' so HTTP adapters map it without knowing Jira; delivery waits
 * `retryAfterMs` when Jira said how long, and tries again a bounded number of times.
 */
export class JiraUnavailableError extends DomainError {
  constructor(
    message: string,
    /** The HTTP status, or null when no answer arrived. */
    readonly status: number | null = null,
    readonly retryAfterMs: number | null = null,
    /** What the next attempt waits for: Jira to answer again, or fresh credentials for the app. */
    readonly awaiting: 'jira' | 'fresh-credentials' = 'jira',
  ) {
    super('upstream-unavailable', message);
    this.name = 'JiraUnavailableError';
  }
}

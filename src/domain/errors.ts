import type { ExplainedFailure } from './ports.js';

/** Errors a use case raises on purpose; the HTTP adapters turn each kind into a status. */
export type DomainErrorKind = 'invalid' | 'not-found' | 'conflict' | 'upstream-rejected' | 'upstream-unavailable';

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    /** For code beside the sentence: a refusal the admin page offers a way out of (e.g. 'workspace-admin-managed'). */
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/**
 * How a call to a target (Bitbucket, Atlassian Administration) failed, classified once in the
 * client so the domain decides on meaning, not on status codes.
 */
export type TargetFailureKind =
  | 'credentials-rejected' // 401: the key/secret, token or API key is wrong, revoked or expired
  | 'forbidden' // 403: valid credentials without admin rights on the workspace or organization
  | 'not-found' // 404: unknown workspace, organization or group, or an admin-managed workspace refusing invitations
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

/**
 * A failure its target adapter has already put in the admin's words, after a second look that a
 * bare status could not replace (a 404: is the group gone, or does the whole target refuse?).
 */
export class ExplainedTargetError extends TargetError {
  constructor(
    kind: TargetFailureKind,
    readonly explained: ExplainedFailure,
    status: number | null = null,
    retryAfterMs: number | null = null,
  ) {
    super(kind, explained.message, status, retryAfterMs);
    this.name = 'ExplainedTargetError';
  }
}

/** Our own rate limit (shared by all instances) asks to wait longer than a job should block. */
export class ThrottledError extends Error {
  constructor(readonly waitMs: number) {
    super(`Waiting ${waitMs} ms for the target's rate limit`);
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

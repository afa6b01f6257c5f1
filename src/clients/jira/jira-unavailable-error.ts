import { DomainError } from '../../domain/errors.js';

/**
 * Jira could not answer now (429, 5xx, timeout, connection failure). It is a DomainError of kind
 * 'upstream-unavailable' so HTTP adapters map it without knowing Jira, and a distinct class so the
 * job layer can retry it, waiting at least `retryAfterMs` when Jira said how long.
 */
export class JiraUnavailableError extends DomainError {
  constructor(
    message: string,
    /** The HTTP status, or null when no answer arrived. */
    readonly status: number | null = null,
    readonly retryAfterMs: number | null = null,
  ) {
    super('upstream-unavailable', message);
    this.name = 'JiraUnavailableError';
  }
}

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/**
 * How long a `Retry-After` header asks to wait, in milliseconds: delay-seconds or an HTTP date
 * (RFC 9110 §10.2.3). Delay-seconds are whole numbers in the RFC; a decimal ("1.5") is read
 * generously rather than ignored. Null when absent or unreadable. The caller caps the wait: a
 * server may ask for anything.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | null {
  const text = value?.trim();
  if (!text) return null;
  if (/^\d+(\.\d+)?$/.test(text)) {
    const ms = Math.ceil(Number(text) * 1000);
    return Number.isFinite(ms) ? ms : Number.MAX_SAFE_INTEGER;
  }
  // An HTTP date names its weekday and month; without letters it is neither form (e.g. "-1").
  const date = /[a-z]/i.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../src/clients/retry-after.js';

describe('reading a Retry-After header', () => {
  const now = Date.parse('2026-11-27T10:00:00Z');

  it('reads delay-seconds, and a decimal generously', () => {
    expect(parseRetryAfter('3', now)).toBe(3_000);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter('1.5', now)).toBe(1_500);
  });

  it('reads an HTTP date as the time left until it', () => {
    expect(parseRetryAfter('Fri, 27 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Fri, 27 Nov 2026 09:00:00 GMT', now)).toBe(0);
  });

  it('passes an absurd wait on as it is, for the caller to cap', () => {
    expect(parseRetryAfter('999999999', now)).toBe(999_999_999_000);
    expect(parseRetryAfter('9'.repeat(400), now)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('ignores what is neither form', () => {
    for (const value of [null, undefined, '', '  ', '-1', 'soon', '1e3']) expect(parseRetryAfter(value, now)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { canRetry, canSendNow } from './invitation-status';

describe('the actions an invitation row offers', () => {
  it('offers Retry on failed and skipped invitations, but not on a skip of an account that is not a person', () => {
    expect(canRetry({ status: 'failed', reasonCode: 'attempts-exhausted' })).toBe(true);
    expect(canRetry({ status: 'skipped', reasonCode: 'no-email' })).toBe(true);
    expect(canRetry({ status: 'skipped', reasonCode: 'not-a-person' })).toBe(false);
    expect(canRetry({ status: 'sent', reasonCode: null })).toBe(false);
    expect(canRetry({ status: 'queued', reasonCode: 'retrying' })).toBe(false);
  });

  it('offers Send now only on a queued invitation waiting for its next attempt', () => {
    expect(canSendNow({ status: 'queued', nextAttemptAt: '2026-11-27T11:00:00.000Z' })).toBe(true);
    expect(canSendNow({ status: 'queued', nextAttemptAt: null })).toBe(false);
    expect(canSendNow({ status: 'failed', nextAttemptAt: null })).toBe(false);
  });
});

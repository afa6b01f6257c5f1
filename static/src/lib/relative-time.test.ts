import { describe, expect, it } from 'vitest';
import { relativeTime } from './relative-time';

const now = new Date('2026-11-27T12:00:00.000Z');
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();

describe('relativeTime', () => {
  it('says "just now" for the last 45 seconds', () => {
    expect(relativeTime(ago(0), now)).toBe('just now');
    expect(relativeTime(ago(44), now)).toBe('just now');
  });

  it('counts minutes, hours and days with the right plural', () => {
    expect(relativeTime(ago(60), now)).toBe('1 minute ago');
    expect(relativeTime(ago(5 * 60), now)).toBe('5 minutes ago');
    expect(relativeTime(ago(3600), now)).toBe('1 hour ago');
    expect(relativeTime(ago(5 * 3600), now)).toBe('5 hours ago');
    expect(relativeTime(ago(86400), now)).toBe('yesterday');
    expect(relativeTime(ago(3 * 86400), now)).toBe('3 days ago');
  });

  it('speaks of the future', () => {
    expect(relativeTime(ago(-120), now)).toBe('in 2 minutes');
    expect(relativeTime(ago(-10), now)).toBe('just now');
  });

  it('falls back to a date after a week', () => {
    expect(relativeTime('2026-10-01T12:00:00.000Z', now)).toBe('1 Oct 2026');
  });

  it('returns an empty string for nothing or garbage', () => {
    expect(relativeTime(null, now)).toBe('');
    expect(relativeTime('not a date', now)).toBe('');
  });
});

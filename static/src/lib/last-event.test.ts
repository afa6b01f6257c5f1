import { describe, expect, it } from 'vitest';
import { lastEventText } from './last-event';

describe('the last event from Jira, as the page says it', () => {
  const now = new Date('2026-11-30T12:00:00Z');

  it('says so when Jira never sent an event', () => {
    expect(lastEventText({ connect: null, forge: null }, now)).toBe('No event from Jira yet.');
  });

  it("gives the time alone for the site's one installation", () => {
    expect(lastEventText({ connect: '2026-11-30T11:57:00Z', forge: null }, now)).toBe('Last event from Jira: 3 minutes ago.');
    expect(lastEventText({ connect: null, forge: '2026-11-28T12:00:00Z' }, now)).toBe('Last event from Jira: 2 days ago.');
  });

  it('names the host of each time when the site sends events through both', () => {
    expect(lastEventText({ connect: '2026-11-20T12:00:00Z', forge: '2026-11-30T11:59:50Z' }, now)).toBe(
      'Last event from Jira: 20 Nov 2026 through Connect, just now through Forge.',
    );
  });
});

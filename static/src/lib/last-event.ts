import type { SiteStatus } from '../api/site-status';
import { relativeTime } from './relative-time';

const HOST_NAMES = { connect: 'Connect', forge: 'Forge' } as const;

export function lastEventText(lastEvent: SiteStatus['lastEvent'], now: Date): string {
  const seen = (Object.keys(HOST_NAMES) as (keyof typeof HOST_NAMES)[]).flatMap((host) => {
    const at = lastEvent[host];
    return at ? [{ host, at }] : [];
  });
  if (seen.length === 0) return 'No event from Jira yet.';
  // One installation: the time alone. The same site through both hosts (a move to Forge): each by name.
  if (seen.length === 1) return `Last event from Jira: ${relativeTime(seen[0]!.at, now)}.`;
  return `Last event from Jira: ${seen.map(({ host, at }) => `${relativeTime(at, now)} through ${HOST_NAMES[host]}`).join(', ')}.`;
}

import { useCallback, useEffect, useRef } from 'react';
import { getSiteStatus, type SiteStatus } from '../api/site-status';
import { useBridge } from '../host/BridgeContext';
import { relativeTime } from '../lib/relative-time';
import { useNow } from '../lib/use-now';
import { useResource } from '../lib/use-resource';
import { SectionMessage } from '../ui/SectionMessage';

/** Often enough for "Last event from Jira" to follow a webhook that arrives while the page is open. */
const REFRESH_MS = 60_000;

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

/**
 * When Jira last told the app about a new user, and a warning when a site that invites new users
 * has heard nothing for long (a disabled app or a broken webhook would otherwise go unnoticed).
 * Says nothing when the status cannot be read: the sections below report the connection.
 * `refreshKey` changes when the invitations on the page change, which a new user's event causes.
 */
export function JiraEventsNotice({ refreshKey }: { refreshKey: number }) {
  const bridge = useBridge();
  const load = useCallback(() => getSiteStatus(bridge), [bridge]);
  const { state, reload } = useResource(load);
  const now = useNow();
  const shownKey = useRef(refreshKey);
  useEffect(() => {
    if (shownKey.current === refreshKey) return;
    shownKey.current = refreshKey;
    void reload({ silent: true });
  }, [refreshKey, reload]);
  useEffect(() => {
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') void reload({ silent: true });
    }, REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [reload]);
  if (state.status !== 'ready') return null;
  const { lastEvent, warning } = state.data;
  return (
    <>
      <p className="ati-page__intro ati-muted">{lastEventText(lastEvent, now)}</p>
      {warning ? (
        <div className="ati-page__intro">
          <SectionMessage appearance="warning" title="Jira may have stopped sending new users">
            {warning}
          </SectionMessage>
        </div>
      ) : null}
    </>
  );
}

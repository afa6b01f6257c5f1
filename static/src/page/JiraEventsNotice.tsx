import { useCallback, useEffect, useRef } from 'react';
import { getSiteStatus } from '../api/site-status';
import { useBridge } from '../host/BridgeContext';
import { lastEventText } from '../lib/last-event';
import { useNow } from '../lib/use-now';
import { useResource } from '../lib/use-resource';
import SectionMessage from '@atlaskit/section-message';
import { useRefreshWhileVisible } from '../lib/use-refresh-while-visible';

/** Often enough for "Last event from Jira" to follow a webhook that arrives while the page is open. */
const REFRESH_MS = 60_000;

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
  useRefreshWhileVisible(reload, REFRESH_MS);
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

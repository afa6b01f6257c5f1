// The "Removals" view: every removal offboarding made or tried, newest first.
import DynamicTable from '@atlaskit/dynamic-table';
import Lozenge, { type ThemeAppearance } from '@atlaskit/lozenge';
import { token } from '@atlaskit/tokens';
import { useCallback, useEffect, useState } from 'react';
import { listRemovals, type RemovalStatus } from '../api/offboarding-api';
import { useBridge } from '../host/BridgeContext';
import { useResource } from '../lib/use-resource';
import { UserCheckButton } from './UserCheckButton';

const STATUS: Record<RemovalStatus, { text: string; appearance: ThemeAppearance }> = {
  held: { text: 'Waiting for confirmation', appearance: 'moved' },
  queued: { text: 'Queued', appearance: 'inprogress' },
  removed: { text: 'Removed', appearance: 'success' },
  'not-a-member': { text: 'Not a member any more', appearance: 'default' },
  'invitation-pending': { text: 'Invitation pending', appearance: 'moved' },
  failed: { text: 'Could not remove', appearance: 'removed' },
  cancelled: { text: 'Cancelled', appearance: 'default' },
};

const HEAD = {
  cells: [
    { key: 'person', content: 'Person' },
    { key: 'group', content: 'Group' },
    { key: 'status', content: 'Status' },
    { key: 'reason', content: 'Why' },
    { key: 'when', content: 'When' },
  ],
};

export function RemovalsSection({ refreshKey }: { refreshKey?: number }) {
  const bridge = useBridge();
  const resource = useResource(useCallback(() => listRemovals(bridge), [bridge]));
  const { reload } = resource;
  const [version, setVersion] = useState(0);
  // A check that ended, or new invitations elsewhere on the page: the list is read again, quietly.
  useEffect(() => {
    if (version > 0 || refreshKey) void reload({ silent: true });
  }, [version, refreshKey, reload]);
  const removals = resource.state.status === 'ready' ? resource.state.data.removals : null;
  const error = resource.state.status === 'error' ? resource.state.message : null;

  const rows = (removals ?? []).map((removal) => ({
    key: removal.id,
    cells: [
      { key: 'person', content: removal.displayName ?? removal.accountId },
      { key: 'group', content: `${removal.groupName} (${removal.linkedAccountName})` },
      { key: 'status', content: <Lozenge appearance={STATUS[removal.status].appearance}>{STATUS[removal.status].text}</Lozenge> },
      { key: 'reason', content: removal.reason ?? (removal.cause === 'deleted' ? 'Deleted in Jira' : 'Deactivated in Jira') },
      { key: 'when', content: new Date(removal.finishedAt ?? removal.createdAt).toLocaleString() },
    ],
  }));

  return (
    <section aria-labelledby="ati-removals-title" style={{ marginTop: token('space.400') }}>
      <h2 id="ati-removals-title">Removals</h2>
      <p style={{ color: token('color.text.subtle') }}>
        People Jira deleted or deactivated, taken out of the groups this app added them to (where a linked account is set to remove them).
      </p>
      <UserCheckButton onFinished={() => setVersion((v) => v + 1)} />
      {error ? (
        <p role="alert" style={{ color: token('color.text.danger') }}>
          {error}
        </p>
      ) : null}
      <DynamicTable head={HEAD} rows={rows} isLoading={removals === null} emptyView={<p>No removals yet.</p>} label="Removals" />
    </section>
  );
}

import DynamicTable from '@atlaskit/dynamic-table';
import type { Invitation } from '../api/types';
import { useNow } from '../lib/use-now';
import { invitationRow } from './InvitationRow';

const HEAD = {
  cells: [
    { key: 'user', content: 'User' },
    { key: 'email', content: 'Email' },
    { key: 'account', content: 'Linked account' },
    { key: 'group', content: 'Group' },
    { key: 'status', content: 'Status' },
    { key: 'time', content: 'Time' },
    { key: 'chosenBy', content: 'Chosen by' },
    { key: 'actions', content: <span className="ads-visually-hidden">Actions</span> },
  ],
};

export function InvitationsTable({
  invitations,
  unlinkedIds,
  busy,
  onRetry,
  onSendNow,
}: {
  invitations: Invitation[];
  /** Linked accounts that were unlinked: their invitations are history. */
  unlinkedIds: ReadonlySet<string>;
  /** Invitations with a Retry or Send now on its way. */
  busy: ReadonlySet<string>;
  onRetry: (invitation: Invitation) => void;
  onSendNow: (invitation: Invitation) => void;
}) {
  const now = useNow();
  return (
    <div className="ati-table-scroll" role="region" aria-label="Recent invitations table" tabIndex={0}>
      <DynamicTable
        label="Recent invitations"
        head={HEAD}
        rows={invitations.map((invitation) =>
          invitationRow({
            invitation,
            now,
            unlinked: unlinkedIds.has(invitation.linkedAccountId),
            busy: busy.has(invitation.id),
            onRetry: () => onRetry(invitation),
            onSendNow: () => onSendNow(invitation),
          }),
        )}
      />
    </div>
  );
}

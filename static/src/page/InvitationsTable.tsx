import type { Invitation } from '../api/types';
import { useNow } from '../lib/use-now';
import { InvitationRow } from './InvitationRow';
import '../ui/table.css';

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
    <div className="ads-table-wrapper">
      <table className="ads-table" aria-labelledby="ati-invitations-title">
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Email</th>
            <th scope="col">Linked account</th>
            <th scope="col">Group</th>
            <th scope="col">Status</th>
            <th scope="col">Time</th>
            <th scope="col">Chosen by</th>
            <th scope="col" className="ads-table__actions">
              <span className="ads-visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {invitations.map((invitation) => (
            <InvitationRow
              key={invitation.id}
              invitation={invitation}
              now={now}
              unlinked={unlinkedIds.has(invitation.linkedAccountId)}
              busy={busy.has(invitation.id)}
              onRetry={() => onRetry(invitation)}
              onSendNow={() => onSendNow(invitation)}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

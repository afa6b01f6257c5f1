import type { Invitation } from '../api/types';
import { canRetry, canSendNow } from '../lib/invitation-status';
import { formatDateTime, relativeTime } from '../lib/relative-time';
import { Button } from '../ui/Button';
import { Lozenge } from '../ui/Lozenge';
import { ChosenByCell } from './ChosenByCell';
import { InvitationStatusCell } from './InvitationStatusCell';
import { InviteNowButton } from './InviteNowButton';

export function InvitationRow({
  invitation,
  now,
  unlinked,
  busy,
  onRetry,
  onSendNow,
}: {
  invitation: Invitation;
  now: Date;
  /** Its linked account was unlinked: nothing can be sent through it any more. */
  unlinked: boolean;
  /** A Retry or Send now for this row is on its way. */
  busy: boolean;
  onRetry: () => void;
  onSendNow: () => void;
}) {
  const time = invitation.sentAt ?? invitation.updatedAt ?? invitation.createdAt;
  const accountName = invitation.linkedAccountName || invitation.workspace;
  return (
    <tr>
      <td>
        <span className="ati-user">
          <span className="ati-user__name" title={invitation.accountId}>
            {invitation.displayName || invitation.accountId}
          </span>
        </span>
      </td>
      <td>{invitation.email ?? <span className="ati-none">—</span>}</td>
      <td>
        {unlinked ? (
          <span className="ati-cell-stack">
            {accountName}
            <Lozenge>Unlinked</Lozenge>
          </span>
        ) : (
          accountName
        )}
      </td>
      <td title={invitation.groupSlug}>{invitation.groupName || invitation.groupSlug}</td>
      <td>
        <InvitationStatusCell invitation={invitation} now={now} />
      </td>
      <td className="ati-nowrap">
        {time ? (
          <time dateTime={time} title={formatDateTime(time)}>
            {relativeTime(time, now)}
          </time>
        ) : null}
      </td>
      <td>
        <ChosenByCell chosenBy={invitation.chosenBy} />
      </td>
      <td className="ads-table__actions">
        {canRetry(invitation) && !unlinked ? (
          <Button spacing="compact" isLoading={busy} onClick={onRetry}>
            Retry
          </Button>
        ) : null}
        {canSendNow(invitation) ? (
          <Button spacing="compact" isLoading={busy} onClick={onSendNow}>
            Send now
          </Button>
        ) : null}
        {!unlinked ? (
          <InviteNowButton
            spacing="compact"
            label="Invite to other groups"
            users={[{ accountId: invitation.accountId, displayName: invitation.displayName }]}
            onInvited={() => undefined}
          />
        ) : null}
      </td>
    </tr>
  );
}

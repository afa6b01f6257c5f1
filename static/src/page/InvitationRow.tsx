// The cells of one invitation's row in the invitations table.
import Button from '@atlaskit/button/new';
import type { RowType } from '@atlaskit/dynamic-table/types';
import Lozenge from '@atlaskit/lozenge';
import Tooltip from '@atlaskit/tooltip';
import { Inline, Stack } from '@atlaskit/primitives';
import type { Invitation } from '../api/types';
import { canRetry, canSendNow, retryExplanation } from '../lib/invitation-status';
import { formatDateTime, relativeTime } from '../lib/relative-time';
import { ChosenByCell } from './ChosenByCell';
import { InvitationStatusCell } from './InvitationStatusCell';
import { Truncated } from './Truncated';
import { InviteNowButton } from './InviteNowButton';

export function invitationRow({
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
}): RowType {
  const time = invitation.sentAt ?? invitation.updatedAt ?? invitation.createdAt;
  const accountName = invitation.linkedAccountName || invitation.workspace || '';
  return {
    key: invitation.id,
    cells: [
      { key: 'user', content: <Truncated value={invitation.displayName || invitation.accountId} className="ati-user__name" /> },
      { key: 'email', content: invitation.email ? <Truncated value={invitation.email} /> : <span className="ati-none">—</span> },
      {
        key: 'account',
        content: unlinked ? (
          <Stack space="space.025" alignInline="start">
            <Truncated value={accountName} className="ati-nowrap" />
            <Lozenge>Unlinked</Lozenge>
          </Stack>
        ) : (
          <Truncated value={accountName} className="ati-nowrap" />
        ),
      },
      { key: 'group', content: <Truncated value={invitation.groupName || invitation.groupSlug || ''} /> },
      { key: 'status', content: <InvitationStatusCell invitation={invitation} now={now} /> },
      {
        key: 'time',
        content: time ? (
          <time className="ati-nowrap" dateTime={time} title={formatDateTime(time)}>
            {relativeTime(time, now)}
          </time>
        ) : null,
      },
      { key: 'chosenBy', content: <ChosenByCell chosenBy={invitation.chosenBy} /> },
      {
        key: 'actions',
        content: (
          <Inline space="space.050" alignInline="end">
            {canRetry(invitation) && !unlinked ? <RetryButton invitation={invitation} busy={busy} onRetry={onRetry} /> : null}
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
          </Inline>
        ),
      },
    ],
  };
}

/** Retry, with what it does when that is not simply "send it again" (a skip for want of an email address). */
function RetryButton({ invitation, busy, onRetry }: { invitation: Invitation; busy: boolean; onRetry: () => void }) {
  const { hint } = retryExplanation(invitation);
  const button = (
    <Button spacing="compact" isLoading={busy} onClick={onRetry} aria-description={hint ?? undefined}>
      Retry
    </Button>
  );
  return hint ? <Tooltip content={hint}>{button}</Tooltip> : button;
}

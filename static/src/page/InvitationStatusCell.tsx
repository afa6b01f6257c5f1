import Lozenge from '@atlaskit/lozenge';
import { Stack } from '@atlaskit/primitives';
import type { Invitation } from '../api/types';
import { STATUS_APPEARANCE, statusText } from '../lib/invitation-status';
import { formatDateTime, relativeTime } from '../lib/relative-time';

export function InvitationStatusCell({ invitation, now }: { invitation: Invitation; now: Date }) {
  const nextAttemptAt = invitation.status === 'queued' ? invitation.nextAttemptAt : null;
  const nextAttempt = nextAttemptAt ? relativeTime(nextAttemptAt, now) : '';
  return (
    <Stack space="space.025" alignInline="start">
      <Lozenge appearance={STATUS_APPEARANCE[invitation.status] ?? 'default'}>{statusText(invitation)}</Lozenge>
      {invitation.reason ? <span className="ati-reason">{invitation.reason}</span> : null}
      {nextAttemptAt && nextAttempt ? (
        <span className="ati-muted">
          Next attempt{' '}
          <time dateTime={nextAttemptAt} title={formatDateTime(nextAttemptAt)}>
            {nextAttempt}
          </time>
        </span>
      ) : null}
    </Stack>
  );
}

import type { Invitation } from '../api/types';
import { STATUS_APPEARANCE, statusText } from '../lib/invitation-status';
import { formatDateTime, relativeTime } from '../lib/relative-time';
import { Lozenge } from '../ui/Lozenge';

export function InvitationStatusCell({ invitation, now }: { invitation: Invitation; now: Date }) {
  const nextAttemptAt = invitation.status === 'queued' ? invitation.nextAttemptAt : null;
  const nextAttempt = nextAttemptAt ? relativeTime(nextAttemptAt, now) : '';
  return (
    <div className="ati-cell-stack">
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
    </div>
  );
}

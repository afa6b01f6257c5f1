import type { Invitation } from '../api/types';
import { STATUS_APPEARANCE, STATUS_TEXT } from '../lib/invitation-status';
import { relativeTime } from '../lib/relative-time';
import { Lozenge } from '../ui/Lozenge';

export function InvitationStatusCell({ invitation, now }: { invitation: Invitation; now: Date }) {
  const nextAttempt =
    invitation.status === 'queued' && invitation.nextAttemptAt ? relativeTime(invitation.nextAttemptAt, now) : '';
  return (
    <div className="ati-cell-stack">
      <Lozenge appearance={STATUS_APPEARANCE[invitation.status] ?? 'default'}>
        {STATUS_TEXT[invitation.status] ?? invitation.status}
      </Lozenge>
      {invitation.reason ? <span className="ati-reason">{invitation.reason}</span> : null}
      {nextAttempt ? <span className="ati-muted">Next attempt {nextAttempt}</span> : null}
    </div>
  );
}

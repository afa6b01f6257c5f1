import type { Invitation, InvitationStatus } from '../api/types';
import type { LozengeAppearance } from '../ui/Lozenge';

export const INVITATION_STATUSES: InvitationStatus[] = ['queued', 'sent', 'already-invited', 'skipped', 'failed'];

/** The lozenge text (tests look for exactly these). */
export const STATUS_TEXT: Record<InvitationStatus, string> = {
  queued: 'queued',
  sent: 'sent',
  'already-invited': 'already invited',
  skipped: 'skipped',
  failed: 'failed',
};

/** The status filter's option labels. */
export const STATUS_OPTION: Record<InvitationStatus, string> = {
  queued: 'Queued',
  sent: 'Sent',
  'already-invited': 'Already invited',
  skipped: 'Skipped',
  failed: 'Failed',
};

export const STATUS_APPEARANCE: Record<InvitationStatus, LozengeAppearance> = {
  queued: 'inprogress',
  sent: 'success',
  'already-invited': 'default',
  skipped: 'moved',
  failed: 'removed',
};

/** Failed and skipped invitations can be retried, except a skip of an account that is not a person (the server refuses it). */
export function canRetry(invitation: Pick<Invitation, 'status' | 'reasonCode'>): boolean {
  return (invitation.status === 'failed' || invitation.status === 'skipped') && invitation.reasonCode !== 'not-a-person';
}

/** A queued invitation waiting for its next attempt can be sent at once. */
export function canSendNow(invitation: Pick<Invitation, 'status' | 'nextAttemptAt'>): boolean {
  return invitation.status === 'queued' && invitation.nextAttemptAt !== null;
}

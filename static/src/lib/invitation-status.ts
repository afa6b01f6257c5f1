import type { Invitation, InvitationStatus, TargetType } from '../api/types';
import type { ThemeAppearance as LozengeAppearance } from '@atlaskit/lozenge';

export const INVITATION_STATUSES: InvitationStatus[] = ['pending-review', 'queued', 'sent', 'already-invited', 'skipped', 'failed'];

/** The lozenge text of a workspace invitation (tests look for exactly these). */
const STATUS_TEXT: Record<InvitationStatus, string> = {
  'pending-review': 'pending review',
  queued: 'queued',
  sent: 'sent',
  'already-invited': 'already invited',
  skipped: 'skipped',
  failed: 'failed',
};

/** An organization adds the user to the group: nothing is sent, nobody is invited. */
const ORGANIZATION_STATUS_TEXT: Record<InvitationStatus, string> = { ...STATUS_TEXT, sent: 'added', 'already-invited': 'already a member' };

/** The lozenge text of one invitation, in the words of its target. */
export function statusText(invitation: Pick<Invitation, 'status' | 'targetType'>): string {
  const texts = invitation.targetType === 'atlassian-organization' ? ORGANIZATION_STATUS_TEXT : STATUS_TEXT;
  return texts[invitation.status] ?? invitation.status;
}

const OPTION_WORDS: Record<InvitationStatus, Record<TargetType, string>> = {
  'pending-review': { 'bitbucket-workspace': 'Pending review', 'atlassian-organization': 'Pending review' },
  queued: { 'bitbucket-workspace': 'Queued', 'atlassian-organization': 'Queued' },
  sent: { 'bitbucket-workspace': 'Sent', 'atlassian-organization': 'Added' },
  'already-invited': { 'bitbucket-workspace': 'Already invited', 'atlassian-organization': 'Already a member' },
  skipped: { 'bitbucket-workspace': 'Skipped', 'atlassian-organization': 'Skipped' },
  failed: { 'bitbucket-workspace': 'Failed', 'atlassian-organization': 'Failed' },
};

/**
 * The status filter's option label, in the words of the kinds of linked account listed: "Sent",
 * "Added", or "Sent or added" when there are both (no account yet reads as workspaces, as before).
 */
export function statusOption(status: InvitationStatus, targetTypes: ReadonlySet<TargetType>): string {
  const kinds: TargetType[] =
    targetTypes.size === 0 ? ['bitbucket-workspace'] : (['bitbucket-workspace', 'atlassian-organization'] as const).filter((t) => targetTypes.has(t));
  const words = [...new Set(kinds.map((kind) => OPTION_WORDS[status][kind]))];
  return words.map((word, i) => (i === 0 ? word : word.charAt(0).toLowerCase() + word.slice(1))).join(' or ');
}

export const STATUS_APPEARANCE: Record<InvitationStatus, LozengeAppearance> = {
  'pending-review': 'new',
  queued: 'inprogress',
  sent: 'success',
  'already-invited': 'default',
  skipped: 'moved',
  failed: 'removed',
};

/** Skips the server refuses to retry: an account that is not a person, and one Jira deleted. */
const FINAL_SKIPS: ReadonlySet<string> = new Set(['not-a-person', 'user-deleted']);

/** Failed and skipped invitations can be retried, except the skips that nothing can change. */
export function canRetry(invitation: Pick<Invitation, 'status' | 'reasonCode'>): boolean {
  return (invitation.status === 'failed' || invitation.status === 'skipped') && !FINAL_SKIPS.has(invitation.reasonCode ?? '');
}

/** A queued invitation waiting for its next attempt can be sent at once. */
export function canSendNow(invitation: Pick<Invitation, 'status' | 'nextAttemptAt'>): boolean {
  return invitation.status === 'queued' && invitation.nextAttemptAt !== null;
}

type RetrySubject = Pick<Invitation, 'reasonCode' | 'targetType' | 'displayName' | 'groupName' | 'linkedAccountName' | 'workspace'>;

/**
 * What Retry does, said before (the button's description) and after (the flag). A skip for want
 * of an email address is retried by asking Jira for it again: that helps only once the user's
 * profile shares it, so nothing is promised.
 */
export function retryExplanation(invitation: RetrySubject): { hint: string | null; title: string; description: string } {
  const verb = invitation.targetType === 'atlassian-organization' ? 'added' : 'invited';
  const where = invitation.linkedAccountName || invitation.workspace || 'the linked account';
  const who = invitation.displayName || 'The user';
  if (invitation.reasonCode === 'no-email') {
    return {
      hint: 'Asks Jira for the email address again. Jira shares it only when the user’s profile allows it.',
      title: 'Asking Jira for the email address again',
      description: `If ${who}’s profile now shares an email address, they will be ${verb} to ${invitation.groupName} in ${where}. If it still does not, the invitation is skipped again.`,
    };
  }
  return {
    hint: null,
    title: 'Invitation queued again',
    description: `${who} will be ${verb} to ${invitation.groupName} in ${where} shortly.`,
  };
}

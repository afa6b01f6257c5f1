import { describe, expect, it } from 'vitest';
import { canRetry, canSendNow, retryExplanation, statusOption, statusText } from './invitation-status';

describe('the actions an invitation row offers', () => {
  it('offers Retry on failed and skipped invitations, but not on a skip of an account that is not a person, or that Jira deleted', () => {
    expect(canRetry({ status: 'skipped', reasonCode: 'user-deleted' })).toBe(false);
    expect(canRetry({ status: 'failed', reasonCode: 'attempts-exhausted' })).toBe(true);
    expect(canRetry({ status: 'skipped', reasonCode: 'no-email' })).toBe(true);
    expect(canRetry({ status: 'skipped', reasonCode: 'not-a-person' })).toBe(false);
    expect(canRetry({ status: 'sent', reasonCode: null })).toBe(false);
    expect(canRetry({ status: 'queued', reasonCode: 'retrying' })).toBe(false);
  });

  it('offers Send now only on a queued invitation waiting for its next attempt', () => {
    expect(canSendNow({ status: 'queued', nextAttemptAt: '2026-11-27T11:00:00.000Z' })).toBe(true);
    expect(canSendNow({ status: 'queued', nextAttemptAt: null })).toBe(false);
    expect(canSendNow({ status: 'failed', nextAttemptAt: null })).toBe(false);
  });
});

describe('the words of an invitation status', () => {
  it('says "added" and "already a member" for an organization, where nothing is sent', () => {
    expect(statusText({ status: 'sent', targetType: 'bitbucket-workspace' })).toBe('sent');
    expect(statusText({ status: 'sent', targetType: 'atlassian-organization' })).toBe('added');
    expect(statusText({ status: 'already-invited', targetType: 'bitbucket-workspace' })).toBe('already invited');
    expect(statusText({ status: 'already-invited', targetType: 'atlassian-organization' })).toBe('already a member');
    expect(statusText({ status: 'failed', targetType: 'atlassian-organization' })).toBe('failed');
  });

  it('names the status filter after the kinds of linked account there are', () => {
    const workspaces = new Set(['bitbucket-workspace'] as const);
    const organizations = new Set(['atlassian-organization'] as const);
    const both = new Set(['atlassian-organization', 'bitbucket-workspace'] as const);
    expect(statusOption('sent', new Set())).toBe('Sent');
    expect(statusOption('sent', workspaces)).toBe('Sent');
    expect(statusOption('sent', organizations)).toBe('Added');
    expect(statusOption('sent', both)).toBe('Sent or added');
    expect(statusOption('already-invited', both)).toBe('Already invited or already a member');
    expect(statusOption('failed', both)).toBe('Failed');
  });
});

describe('what Retry says it does', () => {
  const base = {
    targetType: 'bitbucket-workspace' as const,
    displayName: 'Ada',
    groupName: 'Developers',
    linkedAccountName: 'acme-demo',
    workspace: 'acme-demo',
  };
  it('promises nothing for a skip for want of an email address: Jira is asked again, and may still not share it', () => {
    const said = retryExplanation({ ...base, reasonCode: 'no-email' });
    expect(said.hint).toMatch(/Asks Jira for the email address again/);
    expect(said.description).toBe(
      'If Ada’s profile now shares an email address, they will be invited to Developers in acme-demo. If it still does not, the invitation is skipped again.',
    );
    expect(`${said.title} ${said.description}`).not.toMatch(/shortly/);
  });
  it('says a failed invitation is queued again and sent shortly', () => {
    expect(retryExplanation({ ...base, reasonCode: 'attempts-exhausted' })).toEqual({
      hint: null,
      title: 'Invitation queued again',
      description: 'Ada will be invited to Developers in acme-demo shortly.',
    });
  });
});

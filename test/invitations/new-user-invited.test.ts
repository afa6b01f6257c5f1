import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_CREATED_PATH } from '../../src/entry/connect/user-created-webhook.js';
import { eventually, linkWorkspace, startHarness, type Harness } from '../support/test-app.js';

type InvitationJson = {
  id: string;
  groupSlug: string;
  status: string;
  reason: string | null;
  email: string | null;
  accountId: string;
  nextAttemptAt: string | null;
};

async function invitationsOf(harness: Harness, accountId: string): Promise<InvitationJson[]> {
  const answer = await harness.api('GET', '/api/invitations?pageSize=100');
  return (answer.body.invitations as InvitationJson[]).filter((i) => i.accountId === accountId);
}

async function settled(harness: Harness, accountId: string, count: number): Promise<InvitationJson[]> {
  return eventually(
    async () => {
      const found = await invitationsOf(harness, accountId);
      return found.length === count && found.every((i) => i.status !== 'queued') ? found : undefined;
    },
    10_000,
    `${count} settled invitations for ${accountId}`,
  );
}

describe('a user created in Jira', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
    await linkWorkspace(harness, ['developers', 'qa']);
  });
  afterAll(() => harness?.stop());

  it('is invited by email to each default group, once', async () => {
    const user = { accountId: 'new-1', displayName: 'Nina New', emailAddress: 'nina@example.com', emailVisible: true };
    const sent = await harness.site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, user);
    expect(sent.status).toBe(204);

    const invitations = await settled(harness, 'new-1', 2);
    expect(invitations.map((i) => [i.groupSlug, i.status]).sort()).toEqual([
      ['developers', 'sent'],
      ['qa', 'sent'],
    ]);
    expect(harness.bitbucket.invitations('acme').filter((i) => i.email === 'nina@example.com')).toHaveLength(2);
  });

  it('is invited once however often Jira retries the webhook or repeats the event', async () => {
    const user = { accountId: 'new-2', displayName: 'Rita Retry', emailAddress: 'rita@example.com', emailVisible: true };
    const first = await harness.site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, user);
    const retries = await Promise.all(
      [1, 2, 3].map((retry) => harness.site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, user, { identifier: first.identifier, retry })),
    );
    const repeated = await harness.site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, user);
    expect([first.status, ...retries.map((r) => r.status), repeated.status]).toEqual([204, 204, 204, 204, 204]);

    await settled(harness, 'new-2', 2);
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // room for any duplicate job to show up
    const puts = harness.bitbucket.received.filter((r) => r.method === 'PUT' && (r.body as { email?: string } | null)?.email === 'rita@example.com');
    expect(puts).toHaveLength(2);
    expect(await invitationsOf(harness, 'new-2')).toHaveLength(2);
  });

  it('is looked up through Jira when the webhook leaves the email out', async () => {
    harness.site.addUser({ accountId: 'new-3', displayName: 'Hidden Hugo', emailAddress: 'hugo@example.com' });
    await harness.site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, {
      accountId: 'new-3',
      displayName: 'Hidden Hugo',
      emailAddress: 'hugo@example.com',
      emailVisible: false,
    });

    const invitations = await settled(harness, 'new-3', 2);
    expect(invitations.every((i) => i.status === 'sent' && i.email === 'hugo@example.com')).toBe(true);
    expect(harness.site.received.some((call) => call.path === '/rest/api/3/user/email' && call.status === 200)).toBe(true);
  });

  it('is skipped with the reason when Jira will not share the email', async () => {
    harness.site.setEmailApi('forbidden');
    try {
      await harness.site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, {
        accountId: 'new-4',
        displayName: 'Private Pia',
        emailAddress: 'pia@example.com',
      });
      const invitations = await settled(harness, 'new-4', 2);
      expect(invitations.every((i) => i.status === 'skipped')).toBe(true);
      expect(invitations[0]!.reason).toContain('ACCESS_EMAIL_ADDRESSES');
    } finally {
      harness.site.setEmailApi('ok');
    }
  });

  it('is skipped when it is an app or a customer account, not a person', async () => {
    await harness.site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, {
      accountId: 'bot-1',
      displayName: 'Build Bot',
      accountType: 'app',
      emailAddress: 'bot@example.com',
      emailVisible: true,
    });
    await harness.site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, {
      accountId: 'cust-1',
      displayName: 'Carl Customer',
      accountType: 'customer',
      emailAddress: 'carl@example.com',
      emailVisible: true,
    });

    const bot = await settled(harness, 'bot-1', 2);
    const customer = await settled(harness, 'cust-1', 2);
    expect(bot.every((i) => i.status === 'skipped' && i.reason?.includes('app (bot) account'))).toBe(true);
    expect(customer.every((i) => i.status === 'skipped' && i.reason?.includes('customer'))).toBe(true);

    // Retrying such a skip would contradict it: the admin is told why instead.
    const retried = await harness.api('POST', `/api/invitations/${bot[0]!.id}/retry`);
    expect(retried.status).toBe(409);
    expect(retried.body.message).toBe(
      'This is an app (bot) account, not a person. The app invites people only, so this invitation cannot be retried.',
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // room for a wrongly queued delivery to run
    expect((await invitationsOf(harness, 'bot-1')).every((i) => i.status === 'skipped')).toBe(true);
    expect(harness.bitbucket.invitations('acme').some((i) => i.email === 'bot@example.com' || i.email === 'carl@example.com')).toBe(false);
  });

  it('waits, queued with the reason, while Jira cannot look the address up, and is sent once Jira answers again', async () => {
    const user = { accountId: 'new-7', displayName: 'Patient Pat', emailAddress: 'pat@example.com' };
    harness.site.addUser(user);
    harness.site.setEmailApi('unavailable');
    let waiting: InvitationJson[];
    try {
      await harness.site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, user);
      waiting = await eventually(
        async () => {
          const found = await invitationsOf(harness, 'new-7');
          const held = found.every((i) => i.status === 'queued' && i.nextAttemptAt && i.reason?.startsWith('Jira is unavailable'));
          return found.length === 2 && held ? found : undefined;
        },
        15_000,
        'two invitations waiting for Jira',
      );
    } finally {
      harness.site.setEmailApi('ok');
    }
    for (const invitation of waiting) {
      expect((await harness.api('POST', `/api/invitations/${invitation.id}/send-now`)).status).toBe(200);
    }
    const invitations = await settled(harness, 'new-7', 2);
    expect(invitations.every((i) => i.status === 'sent' && i.email === 'pat@example.com')).toBe(true);
  });

  it('counts an address Bitbucket already invited as already invited, not as a failure', async () => {
    // Someone invited the address by hand first: Bitbucket answers 409 to the app.
    const { BitbucketClient } = await import('../../src/clients/bitbucket/bitbucket-client.js');
    const client = new BitbucketClient({ apiUrl: harness.bitbucket.apiUrl, oauthTokenUrl: harness.bitbucket.oauthTokenUrl });
    await client.invite('acme', { type: 'oauth-consumer', key: 'acme-key', secret: 'acme-secret-value-123' }, 'olga@example.com', 'qa');

    await harness.site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, {
      accountId: 'new-5',
      displayName: 'Olga Old',
      emailAddress: 'olga@example.com',
      emailVisible: true,
    });
    const invitations = await settled(harness, 'new-5', 2);
    expect(Object.fromEntries(invitations.map((i) => [i.groupSlug, i.status]))).toEqual({ qa: 'already-invited', developers: 'sent' });
  });

  it('gets no invitation when the admin chose no groups', async () => {
    const site = await harness.addSite();
    await linkWorkspace(harness, [], site);
    await site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, {
      accountId: 'new-6',
      displayName: 'Nobody Invited',
      emailAddress: 'nobody@example.com',
      emailVisible: true,
    });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const answer = await harness.api('GET', '/api/invitations', undefined, { site });
    expect(answer.body.total).toBe(0);
    expect(harness.bitbucket.invitations('acme').some((i) => i.email === 'nobody@example.com')).toBe(false);
  });

  it('answers a malformed event with 400 and records nothing', async () => {
    const path = USER_CREATED_PATH;
    const response = await fetch(`${harness.app.baseUrl}${path}`, {
      method: 'POST',
      headers: { Authorization: `JWT ${harness.site.signRequest('POST', path)}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ webhookEvent: 'user_created', user: { displayName: 'No Account Id' } }),
    });
    expect(response.status).toBe(400);
    expect((await response.json()).message).toMatch(/not valid/);
  });
});

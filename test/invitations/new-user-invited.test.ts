import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_CREATED_PATH } from '../../src/entry/connect/user-created-webhook.js';
import { eventually, linkWorkspace, startHarness, type Harness } from '../support/test-app.js';

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

    const invitations = await eventually(async () => {
      const answer = await harness.api('GET', '/api/invitations?status=sent');
      return answer.body.invitations.length === 2 ? answer.body.invitations : undefined;
    });
    expect(invitations.map((i: { groupSlug: string }) => i.groupSlug).sort()).toEqual(['developers', 'qa']);
    expect(harness.bitbucket.invitations('acme').filter((i) => i.email === 'nina@example.com')).toHaveLength(2);
  });
});

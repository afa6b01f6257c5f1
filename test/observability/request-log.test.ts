import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_CREATED_PATH } from '../../src/entry/connect/user-created-webhook.js';
import { ADMIN, eventually, linkWorkspace, startHarness, type Harness } from '../support/test-app.js';

type LogLine = Record<string, unknown> & { msg: string };

describe('the request log', () => {
  let harness: Harness;
  const lines = (): LogLine[] =>
    harness.logs
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);

  beforeAll(async () => {
    harness = await startHarness();
    await linkWorkspace(harness, ['developers', 'qa']);
  });
  afterAll(() => harness?.stop());

  it("answers with the caller's X-Request-Id when it looks like one, and with an id of its own otherwise", async () => {
    const given = await fetch(`${harness.app.baseUrl}/healthz`, { headers: { 'X-Request-Id': 'lb-7f3a.42:1' } });
    expect(given.headers.get('x-request-id')).toBe('lb-7f3a.42:1');
    for (const odd of ['x'.repeat(129), 'two words', '{"injected":true}', '-starts-with-a-dash']) {
      const answer = await fetch(`${harness.app.baseUrl}/healthz`, { headers: { 'X-Request-Id': odd } });
      expect(answer.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
    const none = await fetch(`${harness.app.baseUrl}/healthz`);
    expect(none.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('puts the request id on every line about the request, the line that ends it included', async () => {
    const answer = await fetch(`${harness.app.baseUrl}/api/linked-accounts`, {
      headers: {
        Authorization: `JWT ${harness.site.contextToken(ADMIN.accountId, { secret: 'not-the-shared-secret' })}`,
        'X-Request-Id': 'refused-1',
      },
    });
    expect(answer.status).toBe(401);
    const about = lines().filter((line) => line.reqId === 'refused-1');
    expect(about.map((line) => line.msg)).toEqual(['admin API request refused: Connect context token', 'GET /api/linked-accounts']);
    expect(about[1]).toMatchObject({ method: 'GET', path: '/api/linked-accounts', status: 401, ms: expect.any(Number) });
  });

  it("tells one new user's story, from Jira's webhook to each invitation, in lines that share the new user's id", async () => {
    const user = { accountId: 'story-1', displayName: 'Story', emailAddress: 'story@example.com', emailVisible: true };
    const sent = await harness.site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, user);
    expect(sent.status).toBe(204);
    const request = await eventually(async () => lines().find((line) => line.eventId === sent.identifier && line.reqId));
    const newUserId = request.newUserId as string;
    expect(request).toMatchObject({ msg: `POST ${USER_CREATED_PATH}`, outcome: 'recorded', status: 204, tenantId: expect.any(String) });

    const story = await eventually(async () => {
      const about = lines().filter((line) => line.newUserId === newUserId);
      return about.filter((line) => line.msg === 'invitation finished').length === 2 ? about : undefined;
    });
    expect(story.map((line) => line.msg)).toEqual([`POST ${USER_CREATED_PATH}`, 'invitations planned', 'invitation finished', 'invitation finished']);
    expect(story[1]).toMatchObject({ job: 'plan-invitations', jobId: expect.any(String), eventId: sent.identifier, queued: 2, skipped: 0 });
    const finished = story.slice(2);
    for (const line of finished) {
      expect(line).toMatchObject({ job: 'deliver-invitation', jobId: expect.any(String), invitationId: expect.any(String), status: 'sent' });
    }
    expect(new Set(finished.map((line) => line.invitationId)).size).toBe(2);
    // What the log holds of a person is their record's id, never their address.
    expect(harness.logs.join('')).not.toContain('story@example.com');
  });

  it('never writes the signed token of a Connect page URL', async () => {
    const token = harness.site.contextToken(ADMIN.accountId);
    await fetch(`${harness.app.baseUrl}/connect/admin?jwt=${token}&xdm_e=https%3A%2F%2Facme.atlassian.net`);
    const line = await eventually(async () => lines().find((l) => l.msg === 'GET /connect/admin'));
    expect(line).toMatchObject({ method: 'GET', path: '/connect/admin' });
    expect(harness.logs.join('')).not.toContain(token);
  });

  it('writes no line per request with REQUEST_LOG=off, and still answers the request id', async () => {
    const quiet = await harness.startInstance({ REQUEST_LOG: 'off' }, { workers: false });
    const answer = await fetch(`${quiet.baseUrl}/connect/admin`, { headers: { 'X-Request-Id': 'quiet-1' } });
    expect(answer.headers.get('x-request-id')).toBe('quiet-1');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(lines().filter((line) => line.reqId === 'quiet-1')).toEqual([]);
  });
});

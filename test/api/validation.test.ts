import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, OAUTH, linkWorkspace, startHarness, type Harness } from '../support/test-app.js';
import { withClient } from '../support/test-database.js';

type Answer = { status: number; text: string; body: any; contentType: string | null };

/** What a stack trace looks like in any of its usual renderings. */
const STACK_TRACE = /\n\s+at |\bat [\w.<>]+ \(|node_modules|\.(?:ts|js):\d+:\d+|\bstack\b/i;

describe('validation of admin API requests', () => {
  let harness: Harness;
  let accountId: string;
  /** Every answer this file received, checked for stack traces at the end. */
  const answers: Answer[] = [];

  /** A request as the admin's iframe sends it, with the raw body under the test's control. */
  const send = async (method: string, path: string, options: { body?: string; contentType?: string; auth?: boolean } = {}): Promise<Answer> => {
    const headers: Record<string, string> = {};
    if (options.auth !== false) headers.Authorization = `JWT ${harness.site.contextToken(ADMIN.accountId)}`;
    if (options.body !== undefined) headers['Content-Type'] = options.contentType ?? 'application/json';
    const response = await fetch(`${harness.app.baseUrl}${path}`, { method, headers, ...(options.body !== undefined ? { body: options.body } : {}) });
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = undefined; // not JSON: the assertions below say so
    }
    const answer = { status: response.status, text, body, contentType: response.headers.get('content-type') };
    answers.push(answer);
    return answer;
  };
  const json = (method: string, path: string, body: unknown) => send(method, path, { body: JSON.stringify(body) });

  const linkedAccountRows = () =>
    withClient(harness.databaseUrl, async (client) => Number((await client.query('SELECT count(*) FROM linked_accounts')).rows[0].count));

  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness?.stop());

  describe('linking a workspace', () => {
    it('answers a malformed JSON body with 400 and a message, and links nothing', async () => {
      const answer = await send('POST', '/api/linked-accounts', { body: '{"workspace": "acme", "credentials": {' });

      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ message: expect.stringMatching(/not valid JSON/i) });
      expect(await linkedAccountRows()).toBe(0);
    });

    it('names every missing field', async () => {
      const answer = await json('POST', '/api/linked-accounts', {});

      expect(answer.status).toBe(400);
      expect(answer.body.message).toEqual(expect.any(String));
      expect(Object.keys(answer.body.fieldErrors).sort()).toEqual(['credentials', 'workspace']);
    });

    it('names the missing secret of an OAuth consumer, and the bad email of an API token', async () => {
      const noSecret = await json('POST', '/api/linked-accounts', {
        workspace: 'acme',
        credentials: { type: 'oauth-consumer', key: 'acme-key', secret: '  ' },
      });
      expect(noSecret.status).toBe(400);
      expect(noSecret.body.fieldErrors).toEqual({ 'credentials.secret': expect.stringMatching(/secret/i) });

      const badEmail = await json('POST', '/api/linked-accounts', {
        workspace: 'acme',
        credentials: { type: 'api-token', email: 'not-an-email', token: 't' },
      });
      expect(badEmail.status).toBe(400);
      expect(badEmail.body.fieldErrors).toEqual({ 'credentials.email': expect.stringMatching(/email/i) });
    });

    it('refuses an unknown credential type and says which types exist', async () => {
      const answer = await json('POST', '/api/linked-accounts', {
        workspace: 'acme',
        credentials: { type: 'app-password', username: 'u', password: 'p' },
      });

      expect(answer.status).toBe(400);
      const messages = Object.entries(answer.body.fieldErrors);
      expect(messages).toHaveLength(1);
      expect(messages[0]![0]).toMatch(/^credentials/);
      expect(messages[0]![1]).toMatch(/oauth-consumer.*api-token/);
    });

    it('refuses a workspace ID with characters Bitbucket does not allow', async () => {
      for (const workspace of ['acme/../other', 'ac me', '', 'a'.repeat(63), 42]) {
        const answer = await json('POST', '/api/linked-accounts', { workspace, credentials: OAUTH });
        expect(answer.status, JSON.stringify(workspace)).toBe(400);
        expect(Object.keys(answer.body.fieldErrors)).toEqual(['workspace']);
      }
    });

    it('refuses a body that is not a JSON object, or not JSON at all', async () => {
      for (const body of ['[]', '"acme"', 'null']) {
        const answer = await send('POST', '/api/linked-accounts', { body });
        expect(answer.status, body).toBe(400);
        expect(answer.body.message).toEqual(expect.any(String));
      }
      const form = await send('POST', '/api/linked-accounts', { body: 'workspace=acme', contentType: 'application/x-www-form-urlencoded' });
      expect(form.status).toBe(415);
      expect(form.body).toEqual({ message: 'Send the request body as JSON, with Content-Type: application/json.' });
    });

    it('writes nothing and asks Bitbucket nothing for an invalid request', async () => {
      const calls = harness.bitbucket.received.length;
      await json('POST', '/api/linked-accounts', { workspace: 'acme' });
      await json('POST', '/api/linked-accounts', { workspace: 'acme', credentials: { type: 'oauth-consumer', key: 'acme-key' } });
      await send('POST', '/api/linked-accounts', { body: '{' });

      expect(harness.bitbucket.received.length).toBe(calls);
      expect(await linkedAccountRows()).toBe(0);
    });

    it('answers a body over the size limit with 413 and a message', async () => {
      const answer = await json('POST', '/api/linked-accounts', { workspace: 'acme', credentials: { ...OAUTH, secret: 'x'.repeat(100_000) } });
      expect(answer.status).toBe(413);
      expect(answer.body.message).toEqual(expect.any(String));
      expect(await linkedAccountRows()).toBe(0);
    });
  });

  describe('changing a linked account', () => {
    beforeAll(async () => {
      accountId = await linkWorkspace(harness, ['qa']);
    });

    it('refuses default groups that are not a list of slugs, and keeps the selection', async () => {
      for (const body of [{}, { groups: 'qa' }, { groups: [1, 2] }, { groups: [''] }]) {
        const answer = await json('PUT', `/api/linked-accounts/${accountId}/default-groups`, body);
        expect(answer.status, JSON.stringify(body)).toBe(400);
        expect(Object.keys(answer.body.fieldErrors)[0]).toMatch(/^groups/);
      }
      const list = await send('GET', '/api/linked-accounts');
      expect(list.body.linkedAccounts[0].defaultGroups).toEqual([{ slug: 'qa', name: 'QA' }]);
    });

    it('refuses new credentials without a type, and keeps the old ones', async () => {
      const answer = await json('PUT', `/api/linked-accounts/${accountId}/credentials`, { credentials: { key: 'acme-key', secret: 'x' } });
      expect(answer.status).toBe(400);
      expect(answer.body.fieldErrors).toBeDefined();
      const list = await send('GET', '/api/linked-accounts');
      expect(list.body.linkedAccounts[0]).toMatchObject({ credentialType: 'oauth-consumer', status: 'active' });
    });

    it('refuses an invalid refresh flag and invalid invitation filters with field errors', async () => {
      const refresh = await send('GET', `/api/linked-accounts/${accountId}/groups?refresh=yes`);
      expect(refresh.status).toBe(400);
      expect(Object.keys(refresh.body.fieldErrors)).toEqual(['refresh']);

      for (const [query, field] of [
        ['status=lost', 'status'],
        ['page=0', 'page'],
        ['page=abc', 'page'],
        ['pageSize=1000', 'pageSize'],
        ['linkedAccountId=not-a-uuid', 'linkedAccountId'],
      ] as const) {
        const answer = await send('GET', `/api/invitations?${query}`);
        expect(answer.status, query).toBe(400);
        expect(Object.keys(answer.body.fieldErrors), query).toEqual([field]);
      }
    });
  });

  describe('unknown ids and routes', () => {
    const unknownIds = [randomUUID(), 'not-a-uuid', '12345', '%E2%82%AC'];

    it.each(unknownIds)('answers 404 with a message for the id %s, on every endpoint', async (id) => {
      const requests: [string, string, string?][] = [
        ['GET', `/api/linked-accounts/${id}/groups`],
        ['GET', `/api/linked-accounts/${id}/groups?refresh=true`],
        ['PUT', `/api/linked-accounts/${id}/default-groups`, JSON.stringify({ groups: [] })],
        ['PUT', `/api/linked-accounts/${id}/credentials`, JSON.stringify({ credentials: OAUTH })],
        ['POST', `/api/linked-accounts/${id}/refresh-groups`],
        ['DELETE', `/api/linked-accounts/${id}`],
        ['POST', `/api/invitations/${id}/retry`],
      ];
      for (const [method, path, body] of requests) {
        const answer = await send(method, path, body === undefined ? {} : { body });
        expect(answer.status, `${method} ${path}`).toBe(404);
        expect(answer.body, `${method} ${path}`).toEqual({ message: expect.any(String) });
      }
    });

    it('answers an id that is not even valid in a URL with 400 and a message', async () => {
      for (const [method, path] of [
        ['GET', '/api/linked-accounts/%ZZ/groups'],
        ['DELETE', '/api/linked-accounts/%E0%A4%A'],
        ['POST', '/api/invitations/%/retry'],
      ] as const) {
        const answer = await send(method, path);
        expect(answer.status, `${method} ${path}`).toBe(400);
        expect(answer.body, `${method} ${path}`).toEqual({ message: expect.any(String) });
      }
    });

    it('answers an unknown route with 404 JSON, signed in or not', async () => {
      for (const [method, path, auth] of [
        ['GET', '/api/no-such-thing', true],
        ['POST', '/api/linked-accounts/x/y/z', true],
        ['PATCH', '/api/linked-accounts', true],
        ['GET', '/no-such-page', false],
        ['DELETE', '/installed', false],
      ] as const) {
        const answer = await send(method, path, { auth });
        expect(answer.status, `${method} ${path}`).toBe(404);
        expect(answer.contentType, `${method} ${path}`).toMatch(/application\/json/);
        expect(answer.body.message, `${method} ${path}`).toMatch(/no route/i);
      }
    });
  });

  it('never answers with a stack trace, and always with a JSON message when it refuses', async () => {
    // A few more hostile requests on top of everything this file sent.
    await send('POST', '/api/linked-accounts', { body: '{"workspace": "\\ud800"', contentType: 'application/json' });
    await send('POST', '/api/linked-accounts', { body: '\u0000\u0001', contentType: 'application/json; charset=utf-16' });
    await send('POST', '/installed', { body: '{', auth: false });
    await send('POST', '/webhooks/user-created', { body: '{', auth: false });
    await send('GET', '/api/invitations?page[$gt]=1');

    expect(answers.length).toBeGreaterThan(40);
    for (const answer of answers) {
      expect(answer.text).not.toMatch(STACK_TRACE);
      expect(answer.status, answer.text).toBeLessThan(500);
      if (answer.status >= 400) {
        expect(answer.contentType, answer.text).toMatch(/application\/json/);
        expect(answer.body?.message, answer.text).toEqual(expect.any(String));
      }
    }
  });
});

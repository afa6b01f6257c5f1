import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withClient } from '../support/test-database.js';
import { OAUTH } from '../support/test-app.js';
import {
  expectNoServerError,
  expectRefusal,
  leaves,
  replaced,
  startInputProbes,
  type Answer,
  type InputProbes,
  type InputRoute,
} from './input-routes.js';

const NUL = '\u0000';
const LONE_SURROGATE = '\ud800';

function nested(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

describe('input probes on every route that takes input', () => {
  let p: InputProbes;
  beforeAll(async () => {
    p = await startInputProbes();
  });
  afterAll(() => p?.stop());

  /** Sends one probe and checks that it wrote nothing, whatever it answered. */
  async function probe(route: InputRoute, request: Parameters<InputProbes['send']>[1], what: string): Promise<Answer> {
    const before = await p.counts();
    const answer = await p.send(route, request);
    expect(await p.counts(), `${route.name}, ${what}: rows changed (answer ${answer.status} ${answer.text})`).toEqual(before);
    return answer;
  }

  const routes = () => p.routes;
  const validated = () => p.routes.filter((route) => route.body === 'validated');
  const withoutBody = () => p.routes.filter((route) => route.body !== 'validated');

  it('covers the Connect webhooks, the Forge events and every admin API route on both hosts', () => {
    expect(routes().map((route) => route.name)).toHaveLength(5 + 2 * 42);
  });

  it('answers malformed JSON with 400 and says the body is not valid JSON', async () => {
    for (const route of routes()) {
      for (const body of ['{"user": {', '{"a": "\\u00zz"}', "{'single': 'quotes'}", '{,}', 'null', 'true', '"text"', '42', '\u0000']) {
        const answer = await probe(route, { body }, `body ${JSON.stringify(body)}`);
        expectRefusal(answer, `${route.name}, body ${JSON.stringify(body)}`);
        expect(answer.status).toBe(400);
        expect(answer.body.message).toMatch(/not valid JSON/);
      }
    }
  });

  it('answers a body over 64 kb with 413 and a message', async () => {
    for (const route of routes()) {
      const body = JSON.stringify({
        ...(route.valid ?? {}),
        padding: 'x'.repeat(70_000),
      });
      const answer = await probe(route, { body }, 'a 70 kb body');
      expectRefusal(answer, `${route.name}, a 70 kb body`);
      expect(answer.status).toBe(413);
    }
  });

  it('refuses a body that is not JSON or not an object where a body is expected, and never fails on one elsewhere', async () => {
    const contentTypes = [
      null,
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      'application/octet-stream',
    ];
    for (const route of routes()) {
      const body = JSON.stringify(route.valid ?? { anything: 'at all' });
      for (const contentType of contentTypes) {
        const what = `${route.name}, the valid body as ${contentType ?? 'no content type'}`;
        const answer = await probe(route, { body, contentType }, what);
        if (route.body === 'validated') expectRefusal(answer, what);
        else expectNoServerError(answer, what);
      }
      for (const array of ['[]', '[{"user": {}}]', JSON.stringify([route.valid ?? {}])]) {
        const answer = await probe(route, { body: array }, `the array ${array}`);
        if (route.body === 'validated') expectRefusal(answer, `${route.name}, the array ${array}`);
        else expectNoServerError(answer, `${route.name}, the array ${array}`);
      }
    }
  });

  it('answers a JSON body in an encoding or character set it cannot read with 415 and a sentence of its own', async () => {
    for (const route of routes()) {
      const body = JSON.stringify(route.valid ?? {});
      const latin1 = await probe(route, { body, contentType: 'application/json; charset=latin1' }, 'charset latin1');
      expect(latin1.status, `${route.name}: ${latin1.text}`).toBe(415);
      expect(latin1.body?.message, route.name).toBe('Send the request body as UTF-8 JSON.');
      const brotli = await probe(route, { body, headers: { 'Content-Encoding': 'br' } }, 'content encoding br');
      expect(brotli.status, `${route.name}: ${brotli.text}`).toBe(415);
      expect(brotli.body?.message, route.name).toBe('Send the request body uncompressed, or compressed with gzip or deflate.');
    }
  });

  it('refuses deeply nested JSON in place of a field, and ignores it where no body is read', async () => {
    for (const route of routes()) {
      const fields = Object.keys(route.valid ?? { anything: 1 });
      for (const field of fields) {
        const body = `{${JSON.stringify(field)}: ${nested(20_000)}}`;
        const answer = await probe(route, { body }, `${field} nested 20,000 levels deep`);
        if (route.body === 'validated') expectRefusal(answer, `${route.name}, ${field} nested`);
        else expectNoServerError(answer, `${route.name}, ${field} nested`);
      }
    }
  });

  it('refuses a NUL or half a surrogate pair in any text field, naming the field', async () => {
    for (const route of validated()) {
      for (const leaf of leaves(route.valid).filter((l) => typeof l.value === 'string')) {
        for (const [label, bad] of [
          ['a NUL', `${leaf.value}${NUL}x`],
          ['a NUL alone', NUL],
          ['a lone surrogate', `${leaf.value}${LONE_SURROGATE}`],
        ] as const) {
          const what = `${route.name}, ${leaf.path.join('.')} with ${label}`;
          const answer = await probe(route, { body: JSON.stringify(replaced(route.valid!, leaf.path, bad)) }, what);
          expectRefusal(answer, what);
          expect(answer.status, what).toBe(400);
          expect(Object.keys(answer.body.fieldErrors ?? {}), what).toContain(leaf.path.join('.'));
        }
      }
    }
  });

  it('refuses a value of the wrong type in any field, naming the field', async () => {
    for (const route of validated()) {
      const targets = [
        ...leaves(route.valid),
        // Whole objects and lists too: user, credentials, groups.
        ...Object.entries(route.valid!)
          .filter(([, v]) => typeof v === 'object')
          .map(([key, value]) => ({ path: [key], value })),
      ];
      for (const target of targets) {
        const wrong =
          typeof target.value === 'number'
            ? ['42', true, [1], { n: 1 }]
            : Array.isArray(target.value)
              ? ['qa', 42, { 0: 'qa' }]
              : typeof target.value === 'object'
                ? ['text', 42, [target.value]]
                : [42, true, ['text'], { text: 'text' }];
        for (const value of wrong) {
          const what = `${route.name}, ${target.path.join('.')} = ${JSON.stringify(value)}`;
          const answer = await probe(
            route,
            {
              body: JSON.stringify(replaced(route.valid!, target.path, value)),
            },
            what,
          );
          expectRefusal(answer, what);
          expect(answer.status, what).toBe(400);
          expect(
            Object.keys(answer.body.fieldErrors ?? {}).some((key) => key.startsWith(target.path[0]!)),
            what,
          ).toBe(true);
        }
      }
    }
  });

  it('never fails on a NUL-bearing or oddly typed body where no body is read, and writes nothing', async () => {
    const bodies = [
      JSON.stringify({
        workspace: `acme${NUL}`,
        credentials: { ...OAUTH, secret: NUL },
      }),
      JSON.stringify({ groups: [NUL, LONE_SURROGATE] }),
      JSON.stringify({
        user: { accountId: NUL },
        payload: { installerAccountId: [NUL] },
      }),
      '{"__proto__": {"admin": true}, "constructor": {"prototype": {"admin": true}}}',
    ];
    for (const route of withoutBody()) {
      for (const body of bodies) expectNoServerError(await probe(route, { body }, `body ${body}`), `${route.name}, body ${body}`);
    }
  });

  it('refuses query parameters and ids it cannot use, with a sentence, on the routes that read them', async () => {
    const byName = (name: string) => p.routes.find((route) => route.name === name)!;
    for (const host of ['connect', 'forge']) {
      const invitations = byName(`${host}: list invitations`);
      for (const query of [
        'status=%00',
        'status=sent%00',
        'status[]=sent',
        'status[a]=b',
        'status=sent&status=failed',
        'page=%00',
        'page=1e400',
        'page=-1',
        'page=9007199254740993',
        'page=1.5',
        'page[$gt]=1',
        'pageSize=0',
        'pageSize=101',
        'linkedAccountId=%00',
        'linkedAccountId[]=x',
        `status=${'x'.repeat(5_000)}`,
      ]) {
        const what = `${invitations.name}?${query}`;
        const answer = await probe(invitations, { path: `/api/invitations?${query}` }, what);
        expectRefusal(answer, what);
        expect(answer.status, what).toBe(400);
      }
      const groups = byName(`${host}: list groups`);
      for (const query of [
        'refresh=%00',
        'refresh[]=true',
        'refresh=TRUE',
        'refresh=true&refresh=false',
        'search=%00',
        'search[]=dev',
        'search=a&search=b',
        `search=${'x'.repeat(201)}`,
        'cursor=%00',
        'cursor[a]=b',
        `cursor=${'x'.repeat(2001)}`,
      ]) {
        const answer = await probe(groups, { path: `${groups.path}?${query}` }, query);
        expectRefusal(answer, `${groups.name}?${query}`);
        expect(answer.status, query).toBe(400);
      }
      const suggestion = byName(`${host}: suggest organization groups`);
      const suggestionPath = suggestion.path.split('?')[0]!;
      for (const query of [
        '',
        '?organizationAccountId=%00',
        '?organizationAccountId[]=x',
        '?organizationAccountId=not-an-id',
        '?organizationAccountId=a&organizationAccountId=b',
      ]) {
        const answer = await probe(suggestion, { path: `${suggestionPath}${query}` }, query);
        expectRefusal(answer, `${suggestion.name}${query}`);
        expect(answer.status, query).toBe(400);
      }
      for (const name of ['list groups', 'unlink', 'refresh groups', 'retry an invitation', 'update credentials', 'choose default groups']) {
        const route = byName(`${host}: ${name}`);
        // An id that does not even decode (an encoded lone surrogate) is a bad request; any other is unknown.
        for (const [id, expected] of [
          ['%00', 404],
          ['%ED%A0%80', 400],
          ['x'.repeat(5_000), 404],
          ['..%2F..%2Fapi%2Flinked-accounts', 404],
        ] as const) {
          const path = route.path.replace(/[0-9a-f-]{36}/, id);
          const body = route.valid ? JSON.stringify(route.valid) : undefined;
          const answer = await probe(route, { path, ...(body ? { body } : {}) }, `id ${id}`);
          expectRefusal(answer, `${route.name} with id ${id}`);
          expect(answer.status, `${route.name} with id ${id}`).toBe(expected);
        }
      }
    }
  });

  it('drops an email address it cannot use from an event and still records the user', async () => {
    const route = p.routes.find((r) => r.name === 'Connect user_created webhook')!;
    const user = {
      accountId: 'probe-email',
      displayName: 'Probe Email',
      emailAddress: `probe${NUL}@example.com`,
    };
    const answer = await p.send(route, {
      body: JSON.stringify({ webhookEvent: 'user_created', user }),
    });
    expect(answer.status, answer.text).toBe(204);
    const rows = await withClient(
      p.h.harness.databaseUrl,
      async (client) => (await client.query("SELECT email FROM new_users WHERE account_id = 'probe-email'")).rows,
    );
    expect(rows).toEqual([{ email: null }]);
  });

  describe('messages a person reads when the admin API refuses input', () => {
    const link = (body: unknown) =>
      p.send(
        p.routes.find((route) => route.name === 'connect: link a workspace')!,
        { body: JSON.stringify(body) },
      );

    it.each([
      [{ workspace: 'a'.repeat(63), credentials: OAUTH }, 'The workspace ID is too long: use at most 62 characters.', 'workspace'],
      [
        { workspace: 'acme/x', credentials: OAUTH },
        'The workspace ID can only have letters, numbers, dashes and underscores, as in bitbucket.org/your-workspace.',
        'workspace',
      ],
      [{ workspace: 42, credentials: OAUTH }, 'The workspace ID must be text.', 'workspace'],
      [{ credentials: OAUTH }, 'Enter the workspace ID.', 'workspace'],
      [{ workspace: 'acme' }, 'Enter the Bitbucket credentials: an OAuth consumer or an API token.', 'credentials'],
      [
        { workspace: 'acme', credentials: { type: 'app-password' } },
        'Choose a credential type: "oauth-consumer" or "api-token".',
        'credentials.type',
      ],
      [
        {
          workspace: 'acme',
          credentials: { ...OAUTH, secret: 's'.repeat(501) },
        },
        'The OAuth consumer secret is too long: use at most 500 characters.',
        'credentials.secret',
      ],
      [
        {
          workspace: 'acme',
          credentials: { type: 'api-token', email: 'owner@', token: 't' },
        },
        'Enter a valid email address, like name@example.com.',
        'credentials.email',
      ],
      [[], 'The request body must be a JSON object.', '(body)'],
    ])('answers %j with the sentence "%s"', async (body, message, field) => {
      const answer = await link(body);
      expect(answer.status).toBe(400);
      expect(answer.body.message).toBe(message);
      expect(answer.body.fieldErrors[field]).toBe(message);
    });

    it('bounds the work of the newer routes: out-of-range numbers, oversized lists and bad filters get a sentence and write nothing', async () => {
      const byName = (name: string) => p.routes.find((route) => route.name === `connect: ${name}`)!;
      const rule = byName('add a rule').valid!;
      const manyRules = (n: number) => Array.from({ length: n }, (_, i) => ({ ...rule, name: `Rule ${i}`, position: undefined }));
      const cases: [string, { body?: unknown; path?: string }, number, string?][] = [
        ['add a rule', { body: { ...rule, position: -1 } }, 400, 'The position cannot be negative: 0 is the first.'],
        ['add a rule', { body: { ...rule, position: 1.5 } }, 400, 'The position must be a whole number.'],
        ['add a rule', { body: { ...rule, name: 'n'.repeat(101) } }, 400, 'The rule name is too long: use at most 100 characters.'],
        [
          'add a rule',
          { body: { ...rule, conditions: Array.from({ length: 11 }, () => ({ kind: 'account-type', accountTypes: ['app'] })) } },
          400,
          'A rule can have at most 10 conditions.',
        ],
        [
          'add a rule',
          { body: { ...rule, conditions: [{ kind: 'account-type', accountTypes: ['app', 'app', 'app', 'app'] }] } },
          400,
          'Choose each account type once: "atlassian", "app" or "customer".',
        ],
        ['reorder rules', { body: { ruleIds: Array.from({ length: 51 }, () => randomUUID()) } }, 400, 'A linked account has at most 50 rules.'],
        ['preview rules', { body: { rules: manyRules(51) } }, 400, 'Preview at most 50 rules.'],
        // A misspelt field of a body whose fields are all optional would run the request as if it were empty.
        ['preview rules', { body: { rule: [rule] } }, 400, 'The request body takes only "groups" and "rules".'],
        ['send from review', { body: { group: ['qa'] } }, 400, 'The request body takes only "groups".'],
        ['preview rules', { body: { rules: [{ ...rule, action: { kind: 'invite', groups: ['g'.repeat(201)] } }] } }, 400],
        // Lists that would cost real work never get as far as a schema: the body limit refuses them first.
        ['preview rules', { body: { rules: manyRules(10_000) } }, 413, 'The request body is too large.'],
        ['preview rules', { body: { groups: Array.from({ length: 100_000 }, (_, i) => `g${i}`) } }, 413, 'The request body is too large.'],
        ['preview rules', { body: { groups: Array.from({ length: 501 }, (_, i) => `g${i}`) } }, 400, 'Preview at most 500 groups.'],
        ['confirm a backfill', { body: { count: -1 } }, 400, 'The number of invitations to send cannot be negative.'],
        ['confirm a backfill', { body: { count: 1e20 } }, 400, 'The number of invitations to send must be a whole number.'],
        ['retry all failed', { body: { count: 2.5 } }, 400, 'The number of failed invitations to retry must be a whole number.'],
        ['retry all failed', { body: { count: 1, search: 's'.repeat(201) } }, 400, 'The search is too long: use at most 200 characters.'],
        [
          'confirm held removals',
          { body: { count: 1_000_001 } },
          400,
          'The number of removals you confirm must be a whole number from 0 to 1000000.',
        ],
        [
          'change the offboarding setting',
          { body: { mode: 'remove', threshold: 10_001 } },
          400,
          'The removal threshold must be a whole number from 0 to 10000.',
        ],
        [
          'invite someone now',
          { body: { accountIds: Array.from({ length: 51 }, (_, i) => `u${i}`), targets: [] } },
          400,
          'Invite at most 50 users at once.',
        ],
        ['list pending review', { path: '/api/pending-review?page=1.5' }, 400, 'The page must be a whole number of 1 or more.'],
        ['list pending review', { path: '/api/pending-review?pageSize=101' }, 400, 'The page size must be a whole number from 1 to 100.'],
        ['list pending review', { path: '/api/pending-review?linkedAccountId=x' }, 400, 'The linked account filter is not a linked account ID.'],
        ['read the audit log', { path: '/api/audit-log?page=1e400' }, 400, 'The page must be a whole number from 1 to 1000000.'],
        ['read the audit log', { path: '/api/audit-log?pageSize=100000' }, 400, 'The page size must be a whole number from 1 to 100.'],
        ['export the audit log', { path: '/api/audit-log/export?as=xlsx' }, 400, 'Ask for the export "as" csv or json.'],
        ['export the audit log', { path: '/api/audit-log/export?linkedAccountId[]=x' }, 400, 'Filter by one linked account ID.'],
        ['list backfills', { path: '/api/backfills?linkedAccountId=%00' }, 400, 'The linked account filter is not a linked account ID.'],
        ['list removals', { path: '/api/removals?page=-1' }, 400, 'The page must be a whole number of 1 or more.'],
        ['search Jira users', { path: '/api/jira-users?query=' }, 400, 'Type part of a name or an email address to search.'],
        ['search Jira users', { path: `/api/jira-users?query=${'q'.repeat(201)}` }, 400, 'The search is too long: use at most 200 characters.'],
      ];
      for (const [name, request, status, message] of cases) {
        const route = byName(name);
        const what = `${name} ${request.path ?? JSON.stringify(request.body).slice(0, 120)}`;
        const answer = await probe(
          route,
          { ...(request.path ? { path: request.path } : {}), ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}) },
          what,
        );
        expectRefusal(answer, what);
        expect(answer.status, `${what}: ${answer.text}`).toBe(status);
        if (message) expect(answer.body.message, what).toBe(message);
      }
    });

    it('answers the last possible page of every paged list, far past its end, with an empty page', async () => {
      const byName = (name: string) => p.routes.find((route) => route.name === `forge: ${name}`)!;
      for (const [name, path] of [
        ['list pending review', '/api/pending-review?page=9007199254740991&pageSize=100'],
        ['list removals', '/api/removals?page=9007199254740991&pageSize=100'],
        ['list invitations', '/api/invitations?page=9007199254740991&pageSize=100'],
        ['read the audit log', '/api/audit-log?page=1000000&pageSize=100'],
      ] as const) {
        const answer = await probe(byName(name), { path }, path);
        expect(answer.status, `${path}: ${answer.text}`).toBe(200);
      }
    });

    it('explains invalid invitation filters and default groups in sentences', async () => {
      const invitations = p.routes.find((route) => route.name === 'connect: list invitations')!;
      const page = await p.send(invitations, {
        path: '/api/invitations?page=0',
      });
      expect(page.body).toEqual({
        message: 'The page must be a whole number of 1 or more.',
        fieldErrors: { page: 'The page must be a whole number of 1 or more.' },
      });
      const status = await p.send(invitations, {
        path: '/api/invitations?status=lost',
      });
      expect(status.body.message).toBe('Filter by one of these statuses: pending-review, queued, sent, already-invited, skipped, failed.');

      const groups = p.routes.find((route) => route.name === 'connect: choose default groups')!;
      const notList = await p.send(groups, {
        body: JSON.stringify({ groups: 'qa' }),
      });
      expect(notList.body.message).toBe('The default groups must be a list of group slugs.');
      const empty = await p.send(groups, {
        body: JSON.stringify({ groups: [''] }),
      });
      expect(empty.body).toEqual({
        message: 'A group slug cannot be empty.',
        fieldErrors: { 'groups.0': 'A group slug cannot be empty.' },
      });
    });
  });
});

import { randomUUID } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';
import { expect } from 'vitest';
import { USER_CREATED_PATH } from '../../src/entry/connect/user-created-webhook.js';
import { USER_DELETED_PATH } from '../../src/entry/connect/user-deleted-webhook.js';
import { linkOrganizationThroughForge, linkWorkspaceThroughForge, startForgeHarness, type ForgeHarness } from '../support/forge-harness.js';
import { readManifestRoutes, type ManifestRoutes } from '../support/simulators/forge-simulator.js';
import type { JiraConnectSimulator } from '../support/simulators/jira-connect-simulator.js';
import { ADMIN, OAUTH, ORG_API_KEY, ORG_KEY, ORGANIZATION, WORKSPACE, linkOrganization } from '../support/test-app.js';

/** What a route does with a request body: validates it, reads nothing from it that is stored, or takes none. */
export type BodyUse = 'validated' | 'ignored' | 'none';

export type InputRoute = {
  name: string;
  method: string;
  path: string;
  auth: 'connect-event' | 'connect-api' | 'forge-event' | 'forge-api';
  body: BodyUse;
  /** A body the route would accept, which probes mutate one field at a time. */
  valid?: Record<string, unknown>;
};

export type Answer = {
  status: number;
  contentType: string | null;
  text: string;
  body: any;
};

export type RowCounts = Record<'new_users' | 'invitations' | 'linked_accounts' | 'audit_log', number>;

export type InputProbes = {
  h: ForgeHarness;
  /** Every route of the app that takes input: the Connect webhook, both Forge events, every admin API route on both hosts. */
  routes: InputRoute[];
  send: (
    route: InputRoute,
    request?: {
      body?: string;
      contentType?: string | null;
      headers?: Record<string, string>;
      path?: string;
    },
  ) => Promise<Answer>;
  counts: () => Promise<RowCounts>;
  stop: () => Promise<void>;
};

// No emailAddress: an event with one the app cannot use is still taken, without it (see the probes).
const USER = { accountId: 'probe-user', displayName: 'Probe User', accountType: 'atlassian' };

/** A body that links the harness's organization (already linked on both sites, so one that slips through links nothing). */
const ORGANIZATION_LINK = {
  targetType: 'atlassian-organization',
  organizationId: ORGANIZATION.id,
  directoryId: ORGANIZATION.directories[0]!.id,
  credentials: ORG_KEY,
};

/** A rule as the admin page sends it, every kind of condition in it. */
const RULE = {
  name: 'Contractors',
  conditions: [
    { kind: 'email-domain', domains: ['contractor.example'], includeSubdomains: true },
    { kind: 'account-type', accountTypes: ['atlassian'] },
    { kind: 'jira-group', groups: ['jira-software-users'] },
  ],
  action: { kind: 'invite', groups: ['developers'] },
};

/**
 * The app with a Connect site and a Forge site, each with a linked workspace and a linked
 * organization without default groups (so no event starts work in the background), and a second
 * Connect site that sends the webhooks.
 */
export async function startInputProbes(): Promise<InputProbes> {
  // Property runs reach Bitbucket often; the app's own hourly budget must not turn them into waits.
  const h = await startForgeHarness({
    env: { BITBUCKET_REQUESTS_PER_HOUR: '1000000' },
  });
  const manifest: ManifestRoutes = await readManifestRoutes();
  const base = h.harness.app.baseUrl;
  const installed = await h.forge.sendInstalled(base);
  if (installed.status !== 200) throw new Error(`Forge install failed: ${installed.status}`);
  const linked = await h.harness.api('POST', '/api/linked-accounts', {
    workspace: WORKSPACE.slug,
    credentials: OAUTH,
  });
  if (linked.status !== 201) throw new Error(`link failed: ${linked.status}`);
  const connectAccount = linked.body.linkedAccount.id as string;
  const forgeAccount = await linkWorkspaceThroughForge(h, []);
  const connectOrganization = await linkOrganization((method, path, body) => h.harness.api(method, path, body), []);
  const forgeOrganization = await linkOrganizationThroughForge(h, []);
  const webhookSite: JiraConnectSimulator = await h.harness.addSite();
  const database = new pg.Client({ connectionString: h.harness.databaseUrl });
  await database.connect();

  const userCreated = manifest.events['avi:jira:created:user']!;
  const installedEvent = manifest.events['avi:forge:installed:app']!;
  const userDeleted = manifest.events['avi:jira:deleted:user']!;
  const unknown = randomUUID();
  const apiRoutes = (host: 'connect' | 'forge', account: string, organization: string): InputRoute[] => {
    const auth = host === 'connect' ? 'connect-api' : 'forge-api';
    const route = (name: string, method: string, path: string, body: BodyUse, valid?: Record<string, unknown>): InputRoute => ({
      name: `${host}: ${name}`,
      method,
      path,
      auth,
      body,
      ...(valid ? { valid } : {}),
    });
    return [
      route('link a workspace', 'POST', '/api/linked-accounts', 'validated', {
        workspace: WORKSPACE.slug,
        credentials: OAUTH,
      }),
      route('link an organization', 'POST', '/api/linked-accounts', 'validated', ORGANIZATION_LINK),
      route('look up organizations', 'POST', '/api/organizations/discover', 'validated', { apiKey: ORG_API_KEY }),
      route('update credentials', 'PUT', `/api/linked-accounts/${account}/credentials`, 'validated', { credentials: OAUTH }),
      route("update an organization's key", 'PUT', `/api/linked-accounts/${organization}/credentials`, 'validated', { credentials: ORG_KEY }),
      route('choose default groups', 'PUT', `/api/linked-accounts/${account}/default-groups`, 'validated', { groups: [] }),
      route('list linked accounts', 'GET', '/api/linked-accounts', 'none'),
      route('list groups', 'GET', `/api/linked-accounts/${account}/groups`, 'none'),
      route('search organization groups', 'GET', `/api/linked-accounts/${organization}/groups?search=dev`, 'none'),
      route(
        'suggest organization groups',
        'GET',
        `/api/linked-accounts/${account}/organization-suggestion?organizationAccountId=${organization}`,
        'none',
      ),
      // Unknown ids: a probe that slipped through would otherwise unlink, refresh or retry for real.
      route('unlink', 'DELETE', `/api/linked-accounts/${unknown}`, 'none'),
      route('refresh groups', 'POST', `/api/linked-accounts/${unknown}/refresh-groups`, 'none'),
      route('list invitations', 'GET', '/api/invitations', 'none'),
      route('retry an invitation', 'POST', `/api/invitations/${unknown}/retry`, 'none'),
      route('read the offboarding setting', 'GET', `/api/linked-accounts/${organization}/offboarding`, 'none'),
      route('change the offboarding setting', 'PUT', `/api/linked-accounts/${organization}/offboarding`, 'validated', { mode: 'keep' }),
      route('confirm held removals', 'POST', `/api/linked-accounts/${unknown}/removals/confirm`, 'validated', { count: 0 }),
      route('list removals', 'GET', '/api/removals', 'none'),
      route('check users now', 'POST', '/api/user-checks', 'none'),
      route('read the latest check', 'GET', '/api/user-checks/latest', 'none'),
      route('discard held removals', 'POST', `/api/linked-accounts/${unknown}/removals/discard`, 'none'),
      route('send an invitation now', 'POST', `/api/invitations/${unknown}/send-now`, 'none'),
      route('retry all failed', 'POST', '/api/invitations/retry-failed', 'validated', { linkedAccountId: unknown, search: 'mia', count: 0 }),
      route('read the site status', 'GET', '/api/site-status', 'none'),
      // A preview reads Jira and writes nothing, so it runs on the real account.
      route('preview rules', 'POST', `/api/linked-accounts/${account}/preview`, 'validated', { groups: ['developers'], rules: [RULE] }),
      route('start a backfill', 'POST', `/api/linked-accounts/${unknown}/backfills`, 'none'),
      route('list backfills', 'GET', `/api/backfills?linkedAccountId=${account}`, 'none'),
      route('read a backfill', 'GET', `/api/backfills/${unknown}`, 'none'),
      route('confirm a backfill', 'POST', `/api/backfills/${unknown}/confirm`, 'validated', { count: 0 }),
      route('cancel a backfill', 'POST', `/api/backfills/${unknown}/cancel`, 'none'),
      route('read the audit log', 'GET', `/api/audit-log?linkedAccountId=${account}`, 'none'),
      route('export the audit log', 'GET', '/api/audit-log/export?as=json', 'none'),
      route('list rules', 'GET', `/api/linked-accounts/${account}/rules`, 'none'),
      route('add a rule', 'POST', `/api/linked-accounts/${unknown}/rules`, 'validated', { ...RULE, position: 0 }),
      route('change a rule', 'PUT', `/api/linked-accounts/${unknown}/rules/${unknown}`, 'validated', RULE),
      route('remove a rule', 'DELETE', `/api/linked-accounts/${unknown}/rules/${unknown}`, 'none'),
      route('reorder rules', 'PUT', `/api/linked-accounts/${unknown}/rules/order`, 'validated', { ruleIds: [unknown] }),
      route('list pending review', 'GET', `/api/pending-review?linkedAccountId=${account}`, 'none'),
      route('send from review', 'POST', `/api/linked-accounts/${unknown}/pending-review/probe-user/send`, 'validated', { groups: ['developers'] }),
      route('skip from review', 'POST', `/api/linked-accounts/${unknown}/pending-review/probe-user/skip`, 'none'),
      route('search Jira users', 'GET', '/api/jira-users?query=ada', 'none'),
      route('invite someone now', 'POST', '/api/invitations/manual', 'validated', {
        accountIds: ['probe-user'],
        targets: [{ linkedAccountId: unknown, groups: ['developers'] }],
      }),
    ];
  };
  const routes: InputRoute[] = [
    {
      name: 'Connect user_created webhook',
      method: 'POST',
      path: USER_CREATED_PATH,
      auth: 'connect-event',
      body: 'validated',
      valid: {
        webhookEvent: 'user_created',
        timestamp: 1_767_000_000_000,
        user: USER,
      },
    },
    {
      name: 'Forge avi:jira:created:user event',
      method: 'POST',
      path: userCreated.path,
      auth: 'forge-event',
      body: 'validated',
      valid: { eventType: 'avi:jira:created:user', user: USER },
    },
    {
      name: 'Connect user_deleted webhook',
      method: 'POST',
      path: USER_DELETED_PATH,
      auth: 'connect-event',
      body: 'validated',
      valid: { webhookEvent: 'user_deleted', timestamp: 1_767_000_000_000, user: USER },
    },
    {
      name: 'Forge avi:jira:deleted:user event',
      method: 'POST',
      path: userDeleted.path,
      auth: 'forge-event',
      body: 'validated',
      valid: { eventType: 'avi:jira:deleted:user', user: USER },
    },
    // Its tenant comes from the token; the body is only logged, so any JSON object is fine.
    {
      name: 'Forge avi:forge:installed:app event',
      method: 'POST',
      path: installedEvent.path,
      auth: 'forge-event',
      body: 'ignored',
    },
    ...apiRoutes('connect', connectAccount, connectOrganization),
    ...apiRoutes('forge', forgeAccount, forgeOrganization),
  ];

  const authorization = async (route: InputRoute, method: string, path: string): Promise<Record<string, string>> => {
    switch (route.auth) {
      case 'connect-event':
        return {
          Authorization: `JWT ${webhookSite.signRequest(method, path)}`,
          'X-Atlassian-Webhook-Identifier': randomUUID(),
        };
      case 'connect-api':
        return {
          Authorization: `JWT ${h.harness.site.contextToken(ADMIN.accountId)}`,
        };
      case 'forge-event': {
        const endpoint = [userCreated, userDeleted, installedEvent].find((event) => event.path === route.path)!.endpoint;
        const fit = await h.forge.fit({ type: 'core:endpoint', key: endpoint }, { context: null });
        return {
          authorization: `Bearer ${fit}`,
          ...(manifest.auth[endpoint]?.system ? { 'x-forge-oauth-system': h.forge.appToken } : {}),
        };
      }
      case 'forge-api': {
        const fit = await h.forge.fit({ type: 'jira:adminPage', key: 'automatic-team-invitations-admin' }, { principal: ADMIN.accountId });
        return {
          authorization: `Bearer ${fit}`,
          ...(manifest.auth[manifest.uiEndpoint]?.system ? { 'x-forge-oauth-system': h.forge.appToken } : {}),
        };
      }
    }
  };

  return {
    h,
    routes,
    send: async (route, request = {}) => {
      const path = request.path ?? route.path;
      const headers: Record<string, string> = {
        ...(await authorization(route, route.method, path)),
        ...request.headers,
      };
      if (request.body !== undefined && request.contentType !== null) headers['Content-Type'] = request.contentType ?? 'application/json';
      // Node's client frames a GET or DELETE body only when told its length.
      if (request.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(request.body));
      // node:http, not fetch: a probe may send a body with any method, GET included.
      const response = await new Promise<{ status: number; contentType: string | null; text: string }>((resolve, reject) => {
        const request_ = http.request(`${base}${path}`, { method: route.method, headers, timeout: 20_000 }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'] ?? null, text: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        });
        request_.on('error', reject);
        request_.end(request.body);
      });
      let body: unknown;
      try {
        body = response.text ? JSON.parse(response.text) : null;
      } catch {
        body = undefined;
      }
      return { ...response, body };
    },
    counts: async () => {
      const { rows } = await database.query(
        `SELECT (SELECT count(*) FROM new_users)::int AS new_users, (SELECT count(*) FROM invitations)::int AS invitations,
                (SELECT count(*) FROM linked_accounts)::int AS linked_accounts, (SELECT count(*) FROM audit_log)::int AS audit_log`,
      );
      return rows[0] as RowCounts;
    },
    stop: async () => {
      await database.end();
      await h.stop();
    },
  };
}

/** Words of zod, body-parser or Express that must never reach a person. */
const LIBRARY_WORDS =
  /invalid input|too (big|small)|expected \w+, received|unrecognized key|invalid (string|enum|union)|unsupported charset|content encoding|entity|stream/i;

/** A refusal: 4xx, JSON, and a message that is a sentence in the app's own words. */
export function expectRefusal(answer: Answer, what: string): void {
  expect(answer.status, `${what}: ${answer.text}`).toBeGreaterThanOrEqual(400);
  expect(answer.status, `${what}: ${answer.text}`).toBeLessThan(500);
  expect(answer.contentType, what).toMatch(/^application\/json/);
  const message: unknown = answer.body?.message;
  expect(message, `${what}: ${answer.text}`).toEqual(expect.any(String));
  expect(message, what).toMatch(/^[A-Z"].*[.?!)]$/s);
  expect(message, what).not.toMatch(LIBRARY_WORDS);
  for (const fieldMessage of Object.values((answer.body?.fieldErrors ?? {}) as Record<string, string>)) {
    expect(fieldMessage, what).toMatch(/^[A-Z"].*[.?!)]$/s);
    expect(fieldMessage, what).not.toMatch(LIBRARY_WORDS);
  }
}

/** Anything but a failure on our side: a 2xx, or a refusal as above. */
export function expectNoServerError(answer: Answer, what: string): void {
  expect(answer.status, `${what}: ${answer.text}`).toBeLessThan(500);
  if (answer.status >= 400) expectRefusal(answer, what);
}

/** Every string and number in `value`, with its path. */
export function leaves(value: unknown, path: string[] = []): { path: string[]; value: string | number }[] {
  if (typeof value === 'string' || typeof value === 'number') return [{ path, value }];
  if (Array.isArray(value)) return value.flatMap((item, i) => leaves(item, [...path, String(i)]));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([key, item]) => leaves(item, [...path, key]));
  return [];
}

/** `body` with the value at `path` replaced. */
export function replaced(body: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(body);
  let node: any = copy;
  for (const key of path.slice(0, -1)) node = node[key];
  node[path.at(-1)!] = value;
  return copy;
}

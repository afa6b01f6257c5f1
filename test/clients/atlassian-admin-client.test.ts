import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AtlassianAdminClient, type AtlassianAdminClientOptions } from '../../src/clients/atlassian-admin/atlassian-admin-client.js';
import { OrganizationRefusal, explain } from '../../src/clients/atlassian-admin/organization-refusal.js';
import { TargetError } from '../../src/domain/errors.js';
import { AtlassianAdminSimulator, type SimulatedGroup } from '../support/simulators/atlassian-admin-simulator.js';
import { closeNow, listenOnLoopback } from '../support/simulators/loopback-server.js';

const API_KEY = 'ATCTT3xFfGN0-admin-key-5d1e9a7b33c0';
const READ_ONLY_KEY = 'ATCTT3xFfGN0-read-only-key-0c4f21';
const NO_RIGHTS_KEY = 'ATCTT3xFfGN0-no-rights-key-8e77aa';
const REVOKED_KEY = 'ATCTT3xFfGN0-revoked-key-1b2c3d';

const ORG = 'org-acme';
const DIR = 'dir-acme';
const BIG_DIR = 'dir-acme-big';
const CONTRACTORS_DIR = 'dir-acme-contractors';

const NEW_USER = 'acc-new-5b10ac8d';
const MEMBER = 'acc-member-77e1';
const CONTRACTOR = 'acc-contractor-09f3';

const developers: SimulatedGroup = { id: 'grp-developers', name: 'developers', description: 'Bitbucket developers', members: [MEMBER] };
const synced: SimulatedGroup = { id: 'grp-synced', name: 'okta-engineering', description: 'Synced from Okta', externalSynced: true };
const atLimit: SimulatedGroup = { id: 'grp-at-limit', name: 'bitbucket-users', atUserLimit: true };
const orgAdmins: SimulatedGroup = { id: 'grp-org-admins', name: 'org-admins', grantsOrgAdmin: true };
const manyGroups: SimulatedGroup[] = Array.from({ length: 2500 }, (_, i) => ({
  id: `grp-team-${i + 1}`,
  name: `team-${String(i + 1).padStart(4, '0')}`,
}));

const simulator = new AtlassianAdminSimulator({ organizationsPageSize: 2, directoriesPageSize: 2 });

function newClient(options: Partial<AtlassianAdminClientOptions> = {}): AtlassianAdminClient {
  return new AtlassianAdminClient({ apiUrl: simulator.apiUrl, ...options });
}

async function failure(promise: Promise<unknown>): Promise<TargetError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TargetError);
  return error as TargetError;
}

async function refusal(promise: Promise<unknown>): Promise<OrganizationRefusal> {
  const error = await failure(promise);
  expect(error).toBeInstanceOf(OrganizationRefusal);
  return error as OrganizationRefusal;
}

beforeAll(async () => {
  await simulator.start();
  simulator.addOrganization({
    id: ORG,
    name: 'Acme',
    directories: [
      { id: DIR, name: 'Acme users', users: [NEW_USER, MEMBER], groups: [developers, synced, atLimit, orgAdmins] },
      { id: BIG_DIR, name: 'Acme (large)', groups: manyGroups },
      { id: CONTRACTORS_DIR, name: 'Contractors', users: [CONTRACTOR] },
    ],
  });
  simulator.addOrganization({ id: 'org-globex', name: 'Globex', directories: [{ id: 'dir-globex', name: 'Globex users' }] });
  simulator.addOrganization({ id: 'org-initech', name: 'Initech', directories: [{ id: 'dir-initech', name: 'Initech users' }] });
  simulator.addOrganization({ id: 'org-umbrella', name: 'Umbrella', directories: [] });
  simulator.addApiKey(API_KEY, [ORG, 'org-globex', 'org-initech']);
  simulator.addApiKey(READ_ONLY_KEY, [ORG], 'read');
  simulator.addApiKey(NO_RIGHTS_KEY, [ORG], 'none');
  simulator.addApiKey(REVOKED_KEY, [ORG]);
  simulator.revokeApiKey(REVOKED_KEY);
});

afterAll(async () => {
  await simulator.stop();
});

beforeEach(() => {
  simulator.reset();
});

describe('AtlassianAdminClient finding organizations and directories', () => {
  it('lists every organization the key can see, following the whole-URL next links of the v1 API', async () => {
    const organizations = await newClient().listOrganizations(API_KEY);

    expect(organizations).toEqual([
      { id: ORG, name: 'Acme' },
      { id: 'org-globex', name: 'Globex' },
      { id: 'org-initech', name: 'Initech' },
    ]);
    expect(simulator.received.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(['GET /admin/v1/orgs 200', 'GET /admin/v1/orgs 200']);
  });

  it('lists every directory of an organization across pages', async () => {
    const directories = await newClient().listDirectories(API_KEY, ORG);

    expect(directories).toEqual([
      { id: DIR, name: 'Acme users' },
      { id: BIG_DIR, name: 'Acme (large)' },
      { id: CONTRACTORS_DIR, name: 'Contractors' },
    ]);
    expect(simulator.received).toHaveLength(2);
  });

  it('reports not-found for an organization the key does not belong to', async () => {
    const error = await failure(newClient().listDirectories(API_KEY, 'org-umbrella'));

    expect(error.kind).toBe('not-found');
    expect(error.status).toBe(404);
    expect(error.message).toContain('Organization not found');
    expect(error.retryable).toBe(false);
  });

  it('reports credentials-rejected for a revoked key, telling the admin to create a new one and never showing the key', async () => {
    const error = await failure(newClient().listOrganizations(REVOKED_KEY));

    expect(error.kind).toBe('credentials-rejected');
    expect(error.status).toBe(401);
    expect(error.message).toContain('Create a new organization API key');
    expect(error.message).not.toContain(REVOKED_KEY);
  });

  it('sends the key as a Bearer token that the simulator logs only as a fingerprint', async () => {
    await newClient().listOrganizations(API_KEY);

    const [first] = simulator.received;
    expect(first?.keyFingerprint).toMatch(/^[0-9a-f]{12}$/);
    expect(JSON.stringify(simulator.received)).not.toContain(API_KEY);
  });
});

describe('AtlassianAdminClient searching groups', () => {
  it('pages through 2,500 groups with opaque cursors, 100 a page, each group exactly once', async () => {
    const client = newClient();
    const ids = new Set<string>();
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await client.searchGroups(API_KEY, ORG, BIG_DIR, { cursor, limit: 100 });
      for (const group of page.groups) ids.add(group.id);
      cursor = page.nextCursor ?? undefined;
      pages += 1;
    } while (cursor);

    expect(ids.size).toBe(2500);
    expect(pages).toBe(25);
    expect(simulator.received.every((r) => r.status === 200)).toBe(true);
  });

  it('finds only the groups whose name contains the search term, page after page', async () => {
    const client = newClient();
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.searchGroups(API_KEY, ORG, BIG_DIR, { searchTerm: 'team-01', cursor, limit: 30 });
      names.push(...page.groups.map((g) => g.name));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);

    expect(names).toHaveLength(100);
    expect(names.every((name) => name.startsWith('team-01'))).toBe(true);
    expect(simulator.received).toHaveLength(4);
  });

  it('shows description and member count, and marks synced and org-admin groups as not selectable with the reason', async () => {
    const page = await newClient().searchGroups(API_KEY, ORG, DIR);

    expect(page.nextCursor).toBeNull();
    expect(page.groups).toEqual([
      {
        id: 'grp-at-limit',
        name: 'bitbucket-users',
        description: null,
        externalSynced: false,
        managedBy: 'admins',
        memberCount: 0,
        unavailableReason: null,
      },
      {
        id: 'grp-developers',
        name: 'developers',
        description: 'Bitbucket developers',
        externalSynced: false,
        managedBy: 'admins',
        memberCount: 1,
        unavailableReason: null,
      },
      {
        id: 'grp-synced',
        name: 'okta-engineering',
        description: 'Synced from Okta',
        externalSynced: true,
        managedBy: 'external',
        memberCount: 0,
        unavailableReason: 'synced-group',
      },
      {
        id: 'grp-org-admins',
        name: 'org-admins',
        description: null,
        externalSynced: false,
        managedBy: 'admins',
        memberCount: 0,
        unavailableReason: 'admin-group',
      },
    ]);
    expect(explain('synced-group', 'okta-engineering')).toContain('identity provider');
  });

  it("asks for no more than the API's 100 groups a page whatever limit it is given", async () => {
    const page = await newClient().searchGroups(API_KEY, ORG, BIG_DIR, { limit: 5000 });

    expect(page.groups).toHaveLength(100);
    expect(simulator.received[0]?.body).toMatchObject({ limit: 100, expand: ['counts.users'] });
  });

  it('reports forbidden when the key may not manage the organization', async () => {
    const error = await failure(newClient().searchGroups(NO_RIGHTS_KEY, ORG, DIR));

    expect(error).not.toBeInstanceOf(OrganizationRefusal);
    expect(error.kind).toBe('forbidden');
    expect(error.status).toBe(403);
    expect(error.message).not.toContain(NO_RIGHTS_KEY);
  });

  it('reports rejected for a cursor that belongs to another search', async () => {
    const client = newClient();
    const first = await client.searchGroups(API_KEY, ORG, BIG_DIR, { searchTerm: 'team-1' });

    const error = await failure(client.searchGroups(API_KEY, ORG, BIG_DIR, { searchTerm: 'team-2', cursor: first.nextCursor ?? '' }));

    expect(error.kind).toBe('rejected');
    expect(error.message).toContain('Invalid page cursor');
  });
});

describe('AtlassianAdminClient adding a member', () => {
  it('adds a user of the directory to a group', async () => {
    const result = await newClient().addMember(API_KEY, ORG, DIR, developers.id, NEW_USER);

    expect(result).toBe('added');
    expect(simulator.members(ORG, developers.id)).toEqual([NEW_USER, MEMBER].sort());
    expect(simulator.received.at(-1)?.body).toEqual({ accountId: NEW_USER });
  });

  it('counts an account that is already a member as done', async () => {
    const result = await newClient().addMember(API_KEY, ORG, DIR, developers.id, MEMBER);

    expect(result).toBe('already-member');
    expect(simulator.received.at(-1)?.status).toBe(409);
    expect(simulator.membershipAttempts(MEMBER, developers.id)).toBe(1);
  });

  it('refuses a group synced from an identity provider with a sentence the admin can act on, keeping the key valid', async () => {
    const error = await refusal(newClient().addMember(API_KEY, ORG, DIR, synced.id, NEW_USER));

    expect(error.refusal).toBe('synced-group');
    expect(error.kind).toBe('rejected');
    expect(error.status).toBe(403);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('identity provider');
    expect(simulator.members(ORG, synced.id)).toEqual([]);
  });

  it('refuses a group whose app reached its user limit', async () => {
    const error = await refusal(newClient().addMember(API_KEY, ORG, DIR, atLimit.id, NEW_USER));

    expect(error.refusal).toBe('user-limit');
    expect(error.status).toBe(409);
    expect(error.message).toContain('user limit');
  });

  it("refuses an account that is not a user of the group's directory", async () => {
    const error = await refusal(newClient().addMember(API_KEY, ORG, DIR, developers.id, CONTRACTOR));

    expect(error.refusal).toBe('not-in-directory');
    expect(error.status).toBe(404);
    expect(error.message).toContain('not a user of the directory');
  });

  it('refuses the org-admins group', async () => {
    const error = await refusal(newClient().addMember(API_KEY, ORG, DIR, orgAdmins.id, NEW_USER));

    expect(error.refusal).toBe('admin-group');
    expect(error.message).toContain('organization admin rights');
  });

  it('reports not-found, not a refusal, for a group that no longer exists', async () => {
    const error = await failure(newClient().addMember(API_KEY, ORG, DIR, 'grp-deleted', NEW_USER));

    expect(error).not.toBeInstanceOf(OrganizationRefusal);
    expect(error.kind).toBe('not-found');
    expect(error.message).toContain('Group not found');
  });

  it('reports forbidden, not a refusal, for a key that may only read', async () => {
    const error = await failure(newClient().addMember(READ_ONLY_KEY, ORG, DIR, developers.id, NEW_USER));

    expect(error).not.toBeInstanceOf(OrganizationRefusal);
    expect(error.kind).toBe('forbidden');
  });

  it('reports credentials-rejected for a revoked key without revealing it', async () => {
    const error = await failure(newClient().addMember(REVOKED_KEY, ORG, DIR, developers.id, NEW_USER));

    expect(error.kind).toBe('credentials-rejected');
    expect(error.message).not.toContain(REVOKED_KEY);
  });

  it('reports a 429 with Retry-After 3 as rate-limited for 3000 ms', async () => {
    simulator.failRequests(ORG, { status: 429, count: 1, retryAfterSeconds: 3, on: 'membership' });

    const error = await failure(newClient().addMember(API_KEY, ORG, DIR, developers.id, NEW_USER));

    expect(error.kind).toBe('rate-limited');
    expect(error.retryAfterMs).toBe(3000);
    expect(error.retryable).toBe(true);
    expect(simulator.members(ORG, developers.id)).toEqual([MEMBER]);
  });

  it('reports a 503 as unavailable and retryable, then adds once the failures are used up', async () => {
    simulator.failRequests(ORG, { status: 503, count: 1 });
    const client = newClient();

    const error = await failure(client.addMember(API_KEY, ORG, DIR, developers.id, NEW_USER));
    const result = await client.addMember(API_KEY, ORG, DIR, developers.id, NEW_USER);

    expect(error.kind).toBe('unavailable');
    expect(error.status).toBe(503);
    expect(error.retryable).toBe(true);
    expect(result).toBe('added');
    expect(simulator.membershipAttempts(NEW_USER, developers.id)).toBe(2);
  });

  it('asks the throttle before every request about an organization, with the kind of request', async () => {
    const calls: string[] = [];
    const client = newClient({
      throttle: (orgId, kind) => {
        calls.push(`${orgId}:${kind}`);
        return Promise.resolve();
      },
    });

    await client.listOrganizations(API_KEY);
    await client.listDirectories(API_KEY, ORG);
    await client.searchGroups(API_KEY, ORG, DIR);
    await client.addMember(API_KEY, ORG, DIR, developers.id, NEW_USER);
    await client.removeMember(API_KEY, ORG, DIR, developers.id, NEW_USER);

    expect(calls).toEqual([`${ORG}:request`, `${ORG}:request`, `${ORG}:request`, `${ORG}:membership`, `${ORG}:membership`]);
  });
});

describe('AtlassianAdminClient removing a member', () => {
  it('removes a member and then finds nothing more to remove', async () => {
    const client = newClient();

    const first = await client.removeMember(API_KEY, ORG, DIR, developers.id, MEMBER);
    const second = await client.removeMember(API_KEY, ORG, DIR, developers.id, MEMBER);

    expect(first).toBe('removed');
    expect(second).toBe('not-a-member');
    expect(simulator.members(ORG, developers.id)).toEqual([]);
  });

  it('refuses to change a synced group', async () => {
    const error = await refusal(newClient().removeMember(API_KEY, ORG, DIR, synced.id, MEMBER));

    expect(error.refusal).toBe('synced-group');
  });

  it('reports not-found for a group that does not exist', async () => {
    const error = await failure(newClient().removeMember(API_KEY, ORG, DIR, 'grp-deleted', MEMBER));

    expect(error.kind).toBe('not-found');
  });
});

describe("AtlassianAdminClient against the simulator's rate limit", () => {
  const limited = new AtlassianAdminSimulator({ membershipsPerSecond: 2 });

  beforeAll(async () => {
    await limited.start();
    limited.addOrganization({
      id: ORG,
      name: 'Acme',
      directories: [{ id: DIR, name: 'Acme users', users: ['a', 'b', 'c'], groups: [{ id: 'grp', name: 'developers' }] }],
    });
    limited.addApiKey(API_KEY, [ORG]);
  });

  afterAll(async () => {
    await limited.stop();
  });

  it('reports rate-limited with the wait the server asked for once the burst is spent', async () => {
    const client = new AtlassianAdminClient({ apiUrl: limited.apiUrl });
    await client.addMember(API_KEY, ORG, DIR, 'grp', 'a');
    await client.addMember(API_KEY, ORG, DIR, 'grp', 'b');

    const error = await failure(client.addMember(API_KEY, ORG, DIR, 'grp', 'c'));

    expect(error.kind).toBe('rate-limited');
    expect(error.retryAfterMs).toBeGreaterThanOrEqual(1000);
    expect(limited.rateLimitedCount).toBe(1);
    expect(limited.members(ORG, 'grp')).toEqual(['a', 'b']);
  });
});

describe('AtlassianAdminClient with a simulator that answers 204 to a repeated add', () => {
  const lenient = new AtlassianAdminSimulator({ alreadyMemberAnswer: 'no-content' });

  beforeAll(async () => {
    await lenient.start();
    lenient.addOrganization({
      id: ORG,
      name: 'Acme',
      directories: [{ id: DIR, name: 'Acme users', users: [MEMBER], groups: [{ id: 'grp', name: 'developers', members: [MEMBER] }] }],
    });
    lenient.addApiKey(API_KEY, [ORG]);
  });

  afterAll(async () => {
    await lenient.stop();
  });

  it('takes the 204 as done', async () => {
    const result = await new AtlassianAdminClient({ apiUrl: lenient.apiUrl }).addMember(API_KEY, ORG, DIR, 'grp', MEMBER);

    expect(result).toBe('added');
    expect(lenient.members(ORG, 'grp')).toEqual([MEMBER]);
  });
});

type Scripted = { status: number; body?: unknown; headers?: Record<string, string> };

/** A one-off server for answers the simulator does not give: other plausible readings of the API. */
async function withServer(
  answer: (req: IncomingMessage) => Scripted,
  run: (url: string, requests: IncomingMessage[]) => Promise<void>,
): Promise<void> {
  const requests: IncomingMessage[] = [];
  const { server, port } = await listenOnLoopback((req: IncomingMessage, res: ServerResponse) => {
    requests.push(req);
    req.resume();
    req.on('end', () => {
      const scripted = answer(req);
      res.writeHead(scripted.status, { 'Content-Type': 'application/json', ...scripted.headers });
      res.end(scripted.body === undefined ? '' : typeof scripted.body === 'string' ? scripted.body : JSON.stringify(scripted.body));
    });
  });
  try {
    await run(`http://127.0.0.1:${port}`, requests);
  } finally {
    await closeNow(server);
  }
}

function adminError(status: number, code: string | null, title: string, detail?: string): Scripted {
  return { status, body: { errors: [{ status: String(status), ...(code ? { code } : {}), title, ...(detail ? { detail } : {}) }] } };
}

describe('AtlassianAdminClient reading other plausible answers', () => {
  const add = (url: string) => new AtlassianAdminClient({ apiUrl: url }).addMember(API_KEY, ORG, DIR, 'grp', NEW_USER);

  it('counts a 400 that says the user is already a member as done', async () => {
    await withServer(
      () => adminError(400, null, 'Bad Request', 'Cannot add user. User is already a member of the group'),
      async (url) => expect(await add(url)).toBe('already-member'),
    );
  });

  it('counts a 409 without any code as already a member', async () => {
    await withServer(
      () => ({ status: 409, body: '' }),
      async (url) => expect(await add(url)).toBe('already-member'),
    );
  });

  it('reads a 400 about too many licence breaches as the user limit', async () => {
    await withServer(
      () =>
        adminError(
          400,
          'ADMIN-400-32',
          'TOO_MANY_LICENSE_BREACHES',
          'This operation cannot be processed as it modifies too many groups while a product license is breaching.',
        ),
      async (url) => expect((await refusal(add(url))).refusal).toBe('user-limit'),
    );
  });

  it('reads a bare 403 "not allowed to manage the group" as a group this key cannot change, not as bad credentials', async () => {
    await withServer(
      () => adminError(403, 'ADMIN-403-5', 'Not allowed to manage the group'),
      async (url) => {
        const error = await refusal(add(url));
        expect(error.refusal).toBe('group-not-manageable');
        expect(error.kind).toBe('rejected');
      },
    );
  });

  it('reads a 404 "user not found" in the gateway\'s envelope as a user outside the directory', async () => {
    await withServer(
      () => ({
        status: 404,
        body: { timestamp: '2026-11-02T10:00:00Z', path: '/admin/v2/orgs/x', status: 404, error: 'Not Found', message: 'User not found' },
      }),
      async (url) => expect((await refusal(add(url))).refusal).toBe('not-in-directory'),
    );
  });

  it('takes the wait from X-RateLimit-Reset when a 429 has no Retry-After', async () => {
    await withServer(
      () => ({
        ...adminError(429, 'ADMIN-429-1', 'Rate limit exceeded'),
        headers: { 'X-RateLimit-Reset': new Date(Date.now() + 20_000).toISOString() },
      }),
      async (url) => {
        const error = await failure(add(url));
        expect(error.kind).toBe('rate-limited');
        expect(error.retryAfterMs).toBeGreaterThan(15_000);
        expect(error.retryAfterMs).toBeLessThanOrEqual(20_000);
      },
    );
  });

  it('reads an X-RateLimit-Reset given as Unix seconds too', async () => {
    await withServer(
      () => ({
        ...adminError(429, 'ADMIN-429-1', 'Rate limit exceeded'),
        headers: { 'X-RateLimit-Reset': String(Math.floor(Date.now() / 1000) + 30) },
      }),
      async (url) => {
        const error = await failure(add(url));
        expect(error.retryAfterMs).toBeGreaterThan(25_000);
        expect(error.retryAfterMs).toBeLessThanOrEqual(30_000);
      },
    );
  });

  it('follows a bare cursor in links.next when listing organizations', async () => {
    await withServer(
      (req) =>
        new URL(req.url ?? '/', 'http://x').searchParams.get('cursor') === 'page-2'
          ? { status: 200, body: { data: [{ id: 'org-2', type: 'orgs', attributes: { name: 'Two' } }], links: {} } }
          : { status: 200, body: { data: [{ id: 'org-1', type: 'orgs', attributes: { name: 'One' } }], links: { next: 'page-2' } } },
      async (url) =>
        expect(await new AtlassianAdminClient({ apiUrl: url }).listOrganizations(API_KEY)).toEqual([
          { id: 'org-1', name: 'One' },
          { id: 'org-2', name: 'Two' },
        ]),
    );
  });

  it('never sends the key to the host named in a next link, only to the configured one', async () => {
    await withServer(
      (req) =>
        new URL(req.url ?? '/', 'http://x').searchParams.get('cursor') === 'c2'
          ? { status: 200, body: { data: [], links: {} } }
          : {
              status: 200,
              body: { data: [{ id: 'org-1', attributes: { name: 'One' } }], links: { next: 'https://elsewhere.example/admin/v1/orgs?cursor=c2' } },
            },
      async (url, requests) => {
        await new AtlassianAdminClient({ apiUrl: url }).listOrganizations(API_KEY);
        expect(requests.map((r) => r.url)).toEqual(['/admin/v1/orgs', '/admin/v1/orgs?cursor=c2']);
      },
    );
  });

  it('reports rejected with a clear sentence when a group search answers in an unknown shape', async () => {
    await withServer(
      () => ({ status: 200, body: { values: [{ name: 'developers' }] } }),
      async (url) => {
        const error = await failure(new AtlassianAdminClient({ apiUrl: url }).searchGroups(API_KEY, ORG, DIR));
        expect(error.kind).toBe('rejected');
        expect(error.message).toBe(
          `Searching the groups of directory "${DIR}" in organization "${ORG}" failed: Atlassian Administration answered in a shape this app does not know (unexpected value at "data").`,
        );
      },
    );
  });

  it('ignores fields it does not know in a group search answer', async () => {
    await withServer(
      () => ({
        status: 200,
        body: { data: [{ id: 'g1', name: 'developers', somethingNew: { nested: true }, counts: { users: 4, resources: 9 } }], links: {}, meta: {} },
      }),
      async (url) => {
        const page = await new AtlassianAdminClient({ apiUrl: url }).searchGroups(API_KEY, ORG, DIR);
        expect(page.groups).toEqual([
          { id: 'g1', name: 'developers', description: null, externalSynced: false, managedBy: null, memberCount: 4, unavailableReason: null },
        ]);
      },
    );
  });

  it('never shows the API key, even when Atlassian echoes it back', async () => {
    await withServer(
      (req) => adminError(400, null, 'Bad Request', `Rejected header: ${req.headers.authorization ?? ''}`),
      async (url) => {
        const error = await failure(add(url));
        expect(error.message).toContain('[redacted]');
        expect(error.message).not.toContain(API_KEY);
      },
    );
  });
});

describe('AtlassianAdminClient when the connection misbehaves', () => {
  it('does not follow a redirect, so the key never reaches where it points', async () => {
    await withServer(
      () => ({ status: 200, body: { data: [] } }),
      async (elsewhere, elsewhereRequests) => {
        await withServer(
          () => ({ status: 307, headers: { Location: `${elsewhere}/admin/v1/orgs` } }),
          async (url) => {
            const error = await failure(new AtlassianAdminClient({ apiUrl: url }).listOrganizations(API_KEY));
            expect(error.kind).toBe('rejected');
            expect(error.status).toBe(307);
            expect(elsewhereRequests).toHaveLength(0);
          },
        );
      },
    );
  });

  it('reports a closed port as unavailable without a status', async () => {
    const gone = new AtlassianAdminSimulator();
    await gone.start();
    const client = new AtlassianAdminClient({ apiUrl: gone.apiUrl });
    await gone.stop();

    const error = await failure(client.addMember(API_KEY, ORG, DIR, 'grp', NEW_USER));

    expect(error.kind).toBe('unavailable');
    expect(error.status).toBeNull();
    expect(error.message).toContain('could not reach Atlassian Administration');
    expect(error.message).not.toContain(API_KEY);
  });

  it('reports a server that never answers as unavailable after the timeout', async () => {
    const sockets = new Set<Socket>();
    const silent = createTcpServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;

      const error = await failure(new AtlassianAdminClient({ apiUrl: url, timeoutMs: 200 }).searchGroups(API_KEY, ORG, DIR));

      expect(error.kind).toBe('unavailable');
      expect(error.retryable).toBe(true);
      expect(error.message).toContain('did not answer within 200 ms');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBitbucketThrottle } from '../../src/clients/bitbucket/throttle.js';
import { ThrottledError } from '../../src/domain/errors.js';
import type { BitbucketCredentials } from '../../src/domain/model.js';
import { USER_CREATED_PATH } from '../../src/entry/connect/user-created-webhook.js';
import { createLogger } from '../../src/logger.js';
import { openDatabase, type Database } from '../../src/persistence/database.js';
import { RateLimiter } from '../../src/persistence/rate-limiter.js';
import { SecretBox } from '../../src/persistence/secret-box.js';
import type { JiraConnectSimulator } from '../support/simulators/jira-connect-simulator.js';
import {
  ADMIN,
  APP_SECRET_KEY,
  SECRETS,
  WORKSPACE,
  eventually,
  linkWorkspace,
  startHarness,
  type ApiAnswer,
  type Harness,
} from '../support/test-app.js';
import { createTestDatabase, withClient } from '../support/test-database.js';

/** What an admin of another site tries on site A's workspace: a token Bitbucket does not know. */
const BOGUS = { type: 'api-token', email: 'mallory@elsewhere.example', token: 'bogus-token-0123456789' } as const;
const ATTEMPTS = 130;

/** Site A's new user, whose invitation must not wait for anyone else's mistakes. */
async function inviteNewUserOfSiteA(harness: Harness): Promise<void> {
  const user = { accountId: 'a-new-1', displayName: 'Anna A', emailAddress: 'anna@a.example', emailVisible: true };
  expect((await harness.site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, user)).status).toBe(204);
}

async function sentPromptly(harness: Harness): Promise<void> {
  await eventually(async () => (await harness.api('GET', '/api/invitations?status=sent')).body.total === 1, 5_000, "site A's invitation to be sent");
  expect(harness.bitbucket.invitations(WORKSPACE.slug).map((i) => i.email)).toEqual(['anna@a.example']);
}

async function bogusLinkAttempts(harness: Harness, siteB: JiraConnectSimulator): Promise<ApiAnswer[]> {
  const answers: ApiAnswer[] = [];
  for (let i = 0; i < ATTEMPTS; i++) {
    answers.push(await harness.api('POST', '/api/linked-accounts', { workspace: WORKSPACE.slug, credentials: BOGUS }, { site: siteB }));
  }
  return answers;
}

describe("a workspace's Bitbucket budget, when another site tries bogus credentials on it", () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  it("is not spent: site A's new user is invited promptly, and site B is refused with 429 after its limit", async () => {
    harness = await startHarness({ env: { BITBUCKET_REQUESTS_PER_HOUR: '30', LINK_ATTEMPTS_PER_MINUTE: '10' } });
    const siteB = await harness.addSite();
    await linkWorkspace(harness, ['developers']);

    const started = Date.now();
    const answers = await bogusLinkAttempts(harness, siteB);
    const elapsedSeconds = (Date.now() - started) / 1000;

    expect(answers.filter((a) => a.status === 201)).toEqual([]);
    const refusedBySiteLimit = answers.filter((a) => a.status === 429 && /attempts to link an account/.test(a.body.message));
    // Ten at once, then one more every six seconds the attempts took.
    expect(refusedBySiteLimit.length).toBeGreaterThanOrEqual(ATTEMPTS - 10 - Math.ceil(elapsedSeconds / 6));
    expect(answers[10]!.status).toBe(429);
    expect(answers[10]!.body.message).toMatch(
      /^This site has made 10 attempts to link an account, look up organizations or change credentials within a minute\. Try again in \d+ seconds?\.$/,
    );

    const refused = await fetch(`${harness.app.baseUrl}/api/linked-accounts/00000000-0000-4000-8000-000000000000/credentials`, {
      method: 'PUT',
      headers: { Authorization: `JWT ${siteB.contextToken(ADMIN.accountId)}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ credentials: BOGUS }),
    });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    await inviteNewUserOfSiteA(harness);
    await sentPromptly(harness);
  });

  it('is not spent even below the per-site limit: each credential draws from a budget of its own', async () => {
    // The default harness allows plenty of link attempts: only the budgets are left to protect site A.
    harness = await startHarness({ env: { BITBUCKET_REQUESTS_PER_HOUR: '30' } });
    const siteB = await harness.addSite();
    await linkWorkspace(harness, ['developers']);

    const answers = await bogusLinkAttempts(harness, siteB);
    // The bogus token's own budget (3 at once of 30 an hour) lets three reach Bitbucket, then holds the rest back.
    expect(answers.slice(0, 3).map((a) => a.status)).toEqual([422, 422, 422]);
    expect(new Set(answers.slice(3).map((a) => a.status))).toEqual(new Set([429]));

    await inviteNewUserOfSiteA(harness);
    await sentPromptly(harness);
    expect(
      (
        await harness.api(
          'POST',
          `/api/linked-accounts/${(await harness.api('GET', '/api/linked-accounts')).body.linkedAccounts[0].id}/refresh-groups`,
        )
      ).status,
    ).toBe(200);

    // Buckets are named by a keyed hash: neither site's credentials appear in their names.
    const buckets = await withClient(harness.databaseUrl, async (c) => (await c.query<{ bucket: string }>('SELECT bucket FROM rate_buckets')).rows);
    expect(buckets.length).toBeGreaterThan(2);
    for (const { bucket } of buckets) {
      for (const text of [...SECRETS, BOGUS.token, BOGUS.email, 'acme-key']) expect(bucket).not.toContain(text);
    }
  });
});

describe('the Bitbucket throttle', () => {
  let database: Database;
  let drop: () => Promise<void>;
  const box = new SecretBox(APP_SECRET_KEY);
  const alice: BitbucketCredentials = { type: 'oauth-consumer', key: 'alice-key', secret: 'alice-secret' };
  const bob: BitbucketCredentials = { type: 'api-token', email: 'bob@example.com', token: 'bob-token' };

  beforeAll(async () => {
    const created = await createTestDatabase();
    drop = created.drop;
    database = await openDatabase(
      { databaseUrl: created.url, dataDir: '.data', embeddedPostgresPort: 1, databasePool: { requests: 5 } },
      createLogger('silent'),
    );
  });
  afterAll(async () => {
    await database?.close();
    await drop?.();
  });

  const throttleWith = (limits: { invitationsPerMinute: number; requestsPerHour: number }) =>
    createBitbucketThrottle(new RateLimiter(database.sequelize), limits, { maxWaitMs: 0, fingerprint: (text) => box.fingerprint(text) });

  it('keeps the invitation token when the request budget refuses the invitation', async () => {
    // One invitation at once (then one a minute), one request at once (then one an hour).
    const throttle = throttleWith({ invitationsPerMinute: 2, requestsPerHour: 2 });
    await throttle('kept', 'request', alice); // Alice's last request of the hour

    await expect(throttle('kept', 'invitation', alice)).rejects.toBeInstanceOf(ThrottledError);

    // The workspace's invitation budget is untouched: Bob, whose own request budget is full, sends now.
    await expect(throttle('kept', 'invitation', bob)).resolves.toBeUndefined();
    await expect(throttle('kept', 'invitation', bob)).rejects.toBeInstanceOf(ThrottledError);
  });

  it('answers how long the refusing budget needs, not the other one', async () => {
    const throttle = throttleWith({ invitationsPerMinute: 120, requestsPerHour: 2 });
    await throttle('wait', 'request', alice);
    const refusal = await throttle('wait', 'invitation', alice).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ThrottledError);
    // An hour's refill for one request (2 an hour, 1 at once), not the second an invitation needs.
    expect((refusal as ThrottledError).waitMs).toBeGreaterThan(3_000_000);
  });
});

describe('the shared rate limiter', () => {
  let database: Database;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const created = await createTestDatabase();
    drop = created.drop;
    database = await openDatabase(
      { databaseUrl: created.url, dataDir: '.data', embeddedPostgresPort: 1, databasePool: { requests: 5 } },
      createLogger('silent'),
    );
  });
  afterAll(async () => {
    await database?.close();
    await drop?.();
  });

  const slow = (burst: number) => ({ burst, ratePerSecond: 1 / 3600 });

  it('grants exactly a burst to many concurrent takes over two buckets, and takes from both or neither', async () => {
    const limiter = new RateLimiter(database.sequelize);
    const takes = [
      { bucket: 'pair:wide', rule: slow(5) },
      { bucket: 'pair:narrow', rule: slow(2) },
    ];

    const results = await Promise.all(Array.from({ length: 12 }, () => limiter.tryAcquire(takes)));

    expect(results.filter((r) => r.granted)).toHaveLength(2);
    // The wide bucket gave only what the narrow one allowed: three tokens are left in it.
    const alone = await Promise.all(Array.from({ length: 6 }, () => limiter.tryAcquire([takes[0]!])));
    expect(alone.filter((r) => r.granted)).toHaveLength(3);
  });

  it('forgets buckets idle for a day, which are full again anyway, when it makes new ones', async () => {
    const limiter = new RateLimiter(database.sequelize);
    await limiter.tryAcquire([{ bucket: 'idle:old', rule: slow(1) }]);
    await database.sequelize.query("UPDATE rate_buckets SET updated_at = now() - interval '25 hours' WHERE bucket = 'idle:old'");

    await limiter.tryAcquire([{ bucket: 'idle:new', rule: slow(1) }]);

    const [rows] = await database.sequelize.query("SELECT bucket FROM rate_buckets WHERE bucket LIKE 'idle:%'");
    expect(rows).toEqual([{ bucket: 'idle:new' }]);
  });

  it('never deadlocks when concurrent takes name the same buckets in opposite orders', async () => {
    const limiter = new RateLimiter(database.sequelize);
    const x = { bucket: 'order:x', rule: slow(50) };
    const y = { bucket: 'order:y', rule: slow(50) };

    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => limiter.tryAcquire(i % 2 ? [x, y] : [y, x])));

    expect(results.filter((r) => r.granted)).toHaveLength(40);
  });

  it('lets takes that may wait reserve their tokens in turn, each asking the bucket once', async () => {
    const limiter = new RateLimiter(database.sequelize);
    const take = [{ bucket: 'queue:fast', rule: { burst: 1, ratePerSecond: 50 } }];
    await limiter.tryAcquire(take); // the bucket exists, and its one token is spent
    const asked: string[] = [];
    const query = database.sequelize.query.bind(database.sequelize);
    const counting = (sql: unknown, ...rest: unknown[]) => {
      asked.push(String(sql));
      return (query as (...args: unknown[]) => unknown)(sql, ...rest);
    };
    (database.sequelize as unknown as { query: typeof counting }).query = counting;
    try {
      // Ten waiters on a bucket that refills a token every 20 ms: each reserves one, sleeps until it
      // has refilled, and goes ahead, where asking again after each next token would take dozens.
      const results = await Promise.all(Array.from({ length: 10 }, () => limiter.acquire(take, 5_000)));

      expect(results).toEqual(Array.from({ length: 10 }, () => ({ granted: true })));
      expect(asked).toHaveLength(10);
    } finally {
      (database.sequelize as unknown as { query: typeof query }).query = query;
    }
  });

  it('refuses a take whose token would come later than it may wait, and makes later takes wait behind reservations', async () => {
    const limiter = new RateLimiter(database.sequelize);
    const take = [{ bucket: 'queue:slow', rule: { burst: 1, ratePerSecond: 1 } }];
    expect(await limiter.tryAcquire(take)).toEqual({ granted: true });

    // The next token refills in a second: a take that may wait half a second is refused, and told so.
    const tooLong = await limiter.acquire(take, 500);
    expect(tooLong.granted).toBe(false);
    expect(!tooLong.granted && tooLong.waitMs).toBeGreaterThan(500);

    // One that may wait three seconds reserves it: a take without waiting is refused behind it,
    // told to wait until after the reserved token and its own.
    const reserved = limiter.acquire(take, 3_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const behind = await limiter.tryAcquire(take);
    expect(behind.granted).toBe(false);
    expect(!behind.granted && behind.waitMs).toBeGreaterThan(1_000);
    expect(await reserved).toEqual({ granted: true });
  });
});

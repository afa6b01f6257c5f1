import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoServerError, leaves, replaced, startInputProbes, type InputProbes, type InputRoute } from './input-routes.js';

const RUNS = 100;
// An oracle of its own, not the app's pattern, so that the property checks the app against it.
// eslint-disable-next-line no-control-regex -- NUL is the very character this pattern exists to find
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Text that has broken parsers and databases before: NUL, lone surrogates, BOMs, bidi and line separators, quotes, SQL. */
const oddPiece = fc.constantFrom(
  '\u0000',
  '\ud800',
  '\udfff',
  '\ud83d\ude00',
  '\u202e',
  '\ufeff',
  'e\u0301',
  '\uffff',
  '\u2028',
  '\u0085',
  ' ',
  '"',
  '\\',
  '%00',
  "'; DROP TABLE new_users; --",
  '<script>alert(1)</script>',
  '${7*7}',
  '__proto__',
  'A'.repeat(300),
);
const oddString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(fc.oneof(fc.string({ maxLength: 6 }), oddPiece), { maxLength: 6 }).map((pieces) => pieces.join('')),
);
const anyValue = fc.oneof(fc.jsonValue({ maxDepth: 4 }), oddString);

/** `valid` with one of its fields (or a whole object or list in it) replaced by anything, or a stray key added. */
function mutated(valid: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const paths = [...leaves(valid).map((leaf) => leaf.path), ...Object.keys(valid).map((key) => [key])];
  return fc.oneof(
    fc.tuple(fc.constantFrom(...paths), anyValue).map(([path, value]) => replaced(valid, path, value)),
    fc.tuple(fc.constantFrom(...paths), fc.constant(undefined)).map(([path]) => replaced(valid, path, undefined)),
    fc.tuple(oddString, anyValue).map(([key, value]) => ({ ...valid, [key]: value })),
  );
}

/** A user as Jira might describe one, every text field possibly odd. */
const jiraUser = fc.record(
  {
    accountId: fc.oneof(fc.uuid(), oddString),
    displayName: fc.oneof(oddString, fc.constant(null)),
    accountType: fc.oneof(fc.constantFrom('atlassian', 'app', 'customer'), oddString),
    emailAddress: fc.oneof(fc.emailAddress(), oddString),
  },
  { requiredKeys: ['accountId'] },
);

describe('arbitrary input to the routes that take it', () => {
  let p: InputProbes;
  beforeAll(async () => {
    p = await startInputProbes();
  });
  afterAll(() => p?.stop());

  const route = (name: string): InputRoute => p.routes.find((r) => r.name === name)!;

  /** One request: never a 5xx, a refusal is a JSON sentence, and a refusal writes nothing. */
  async function check(target: InputRoute, body: unknown): Promise<number> {
    const text = JSON.stringify(body) ?? 'null';
    const before = await p.counts();
    const answer = await p.send(target, { body: text });
    const what = `${target.name} with ${text.slice(0, 300)}`;
    expectNoServerError(answer, what);
    if (answer.status >= 400) expect(await p.counts(), what).toEqual(before);
    return answer.status;
  }

  it.each([
    'connect: link a workspace',
    'connect: update credentials',
    'connect: choose default groups',
    'forge: link a workspace',
    'connect: link an organization',
    'forge: look up organizations',
  ])('answers any JSON sent to "%s" with a 2xx or a refusal, never a failure', async (name) => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (body) => {
        await check(route(name), body);
      }),
      { numRuns: RUNS },
    );
  });

  it.each([
    'connect: link a workspace',
    'connect: update credentials',
    'connect: choose default groups',
    'forge: update credentials',
    'connect: link an organization',
    "forge: update an organization's key",
    'connect: look up organizations',
  ])('answers a body shaped like a valid one but with a field changed, sent to "%s", with a 2xx or a refusal', async (name) => {
    const target = route(name);
    const valid = name.endsWith('default groups') ? { groups: ['qa', 'developers'] } : target.valid!;
    await fc.assert(
      fc.asyncProperty(mutated(valid), async (body) => {
        await check(target, body);
      }),
      { numRuns: RUNS },
    );
  });

  it.each(['Connect user_created webhook', 'Forge avi:jira:created:user event', 'Forge avi:forge:installed:app event'])(
    'answers any JSON sent as the %s with a 2xx or a refusal, never a failure',
    async (name) => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.jsonValue(), fc.record({ payload: fc.jsonValue() })), async (body) => {
          await check(route(name), body);
        }),
        { numRuns: RUNS },
      );
    },
  );

  it.each(['Connect user_created webhook', 'Forge avi:jira:created:user event'])(
    'records any user of the %s it can store, and refuses, writing nothing, one it cannot',
    async (name) => {
      const target = route(name);
      await fc.assert(
        fc.asyncProperty(jiraUser, fc.boolean(), async (user, wrap) => {
          const event = { ...target.valid!, user };
          const status = await check(target, wrap && name.startsWith('Forge') ? { payload: event } : event);
          const unstorable = [user.accountId, user.displayName, user.accountType].some(
            (value) => typeof value === 'string' && UNSTORABLE.test(value),
          );
          if (unstorable) expect(status, JSON.stringify(user)).toBe(400);
        }),
        { numRuns: RUNS },
      );
    },
  );

  it.each(['Connect user_created webhook', 'Forge avi:jira:created:user event'])(
    'answers an event shaped like a valid one but with a field changed, sent as the %s, with a 2xx or a refusal',
    async (name) => {
      const target = route(name);
      await fc.assert(
        fc.asyncProperty(mutated(target.valid!), async (body) => {
          await check(target, body);
        }),
        { numRuns: RUNS },
      );
    },
  );
});

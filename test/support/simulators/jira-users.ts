import type { SimulatedUser } from './jira-connect-simulator.js';
import { TokenBucket } from './token-bucket.js';

export type UserLookupReply = { status: number; body: unknown; headers?: Record<string, string> };

/**
 * The users of one simulated Jira site as `GET /rest/api/3/user?accountId=` shows them (CONTRACTS
 * §2-3): a deactivated account answers 200 with `active: false`, a deleted one 404, and lookups
 * beyond the site's burst rate answer 429 with Retry-After and RateLimit-Reason. Shared by the
 * Connect and the Forge simulators, which differ only in how the app authenticates.
 */
export class JiraUserDirectory {
  readonly #inactive = new Set<string>();
  readonly #deleted = new Set<string>();
  #bucket: TokenBucket | null = null;
  lookups = 0;
  rateLimited = 0;

  constructor(
    private readonly users: Map<string, SimulatedUser>,
    private lookupsPerSecond: number | undefined = undefined,
  ) {}

  /** A per-second burst limit on user lookups (undefined: unlimited). */
  limit(lookupsPerSecond: number | undefined): void {
    this.lookupsPerSecond = lookupsPerSecond;
    this.#bucket = null;
  }

  deactivate(accountId: string): void {
    this.#inactive.add(accountId);
  }

  reactivate(accountId: string): void {
    this.#inactive.delete(accountId);
  }

  /** Jira deletes the account: it is gone from every answer. */
  delete(accountId: string): void {
    this.#deleted.add(accountId);
    this.users.delete(accountId);
  }

  lookUp(accountId: string | null): UserLookupReply {
    this.lookups++;
    const rate = this.lookupsPerSecond;
    if (rate) {
      const now = Date.now();
      this.#bucket ??= new TokenBucket(rate, rate, now);
      const waitMs = this.#bucket.take(now);
      if (waitMs > 0) {
        this.rateLimited++;
        return {
          status: 429,
          body: { errorMessages: ['Rate limit exceeded.'] },
          headers: { 'Retry-After': String(Math.max(1, Math.ceil(waitMs / 1000))), 'RateLimit-Reason': 'jira-burst-based' },
        };
      }
    }
    if (!accountId) return { status: 400, body: { errorMessages: ['accountId is required'] } };
    const user = this.users.get(accountId);
    if (!user || this.#deleted.has(accountId)) return { status: 404, body: { errorMessages: [`User with accountId ${accountId} does not exist`] } };
    return {
      status: 200,
      body: {
        accountId,
        accountType: user.accountType ?? 'atlassian',
        displayName: user.displayName,
        active: !this.#inactive.has(accountId),
        // As on Jira, the address only when the profile shows it.
        ...(user.emailVisible && user.emailAddress ? { emailAddress: user.emailAddress } : {}),
        timeZone: 'Etc/UTC',
        locale: 'en_US',
      },
    };
  }
}

import { createHash } from 'node:crypto';

export type IssuedToken = { accessToken: string; expiresInSeconds: number | null };
export type CachedToken = { accessToken: string; fromCache: boolean };

/** Stop using a token this long before Bitbucket says it expires, so it cannot expire in flight. */
const EXPIRY_MARGIN_MS = 60_000;
/** Bitbucket always sends expires_in (7200); if it ever does not, the 401 refresh covers a wrong guess. */
const DEFAULT_TTL_SECONDS = 3600;

type Entry = { accessToken: string; usableUntil: number };

/**
 * Access tokens per OAuth consumer. Keyed by a hash of key and secret so a rotated secret
 * gets a new token and no plain secret sits in a map key (heap dumps, debuggers).
 */
export class OAuthTokenCache {
  readonly #entries = new Map<string, Entry>();
  // Concurrent invitations for one consumer share one token request instead of racing.
  readonly #pending = new Map<string, Promise<IssuedToken>>();

  constructor(private readonly now: () => number = Date.now) {}

  async get(key: string, secret: string, request: () => Promise<IssuedToken>): Promise<CachedToken> {
    const id = cacheKey(key, secret);
    const entry = this.#entries.get(id);
    if (entry && entry.usableUntil > this.now()) return { accessToken: entry.accessToken, fromCache: true };

    let pending = this.#pending.get(id);
    if (!pending) {
      pending = this.#request(id, request);
      this.#pending.set(id, pending);
    }
    const issued = await pending;
    return { accessToken: issued.accessToken, fromCache: false };
  }

  /** Forgets a token Bitbucket refused, unless another caller already replaced it. */
  drop(key: string, secret: string, accessToken: string): void {
    const id = cacheKey(key, secret);
    if (this.#entries.get(id)?.accessToken === accessToken) this.#entries.delete(id);
  }

  async #request(id: string, request: () => Promise<IssuedToken>): Promise<IssuedToken> {
    try {
      // Deferred a tick so #pending holds this promise before `request` can settle it.
      const issued = await Promise.resolve().then(request);
      const ttlMs = (issued.expiresInSeconds ?? DEFAULT_TTL_SECONDS) * 1000;
      this.#entries.set(id, { accessToken: issued.accessToken, usableUntil: this.now() + ttlMs - EXPIRY_MARGIN_MS });
      return issued;
    } finally {
      this.#pending.delete(id);
    }
  }
}

function cacheKey(key: string, secret: string): string {
  // The separator keeps ("ab","c") and ("a","bc") apart.
  return createHash('sha256').update(key).update('\0').update(secret).digest('hex');
}

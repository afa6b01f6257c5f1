import { KeyObject, verify as verifySignature } from 'node:crypto';
import { createRemoteJWKSet, errors, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import { z } from 'zod';

export const PRODUCTION_JWKS_URL = 'https://forge.cdn.prod.atlassian-dev.net/.well-known/jwks.json';
export const STAGING_JWKS_URL = 'https://forge.cdn.stg.atlassian-dev.net/.well-known/jwks.json';
/** Forge's docs: tokens whose app.apiBaseUrl is on this host are signed with the staging keys. */
const STAGING_API_PREFIX = 'https://api.stg.atlassian.com/';
const ISSUER = 'forge/invocation-token';
/** Leeway for clocks that differ a little between Forge and this server. */
const CLOCK_TOLERANCE_SECONDS = 5;

/** The claims this app uses; anything else in the token is ignored. */
const claimsSchema = z.object({
  app: z.object({
    id: z.string().min(1),
    installationId: z.string().min(1),
    // Checked below against the allowed origins, which parses it as a URL (once per distinct value).
    apiBaseUrl: z.string().min(1),
    appVersion: z.string().optional(),
    environment: z.object({ type: z.string().optional(), id: z.string().optional() }).optional(),
    module: z.object({ type: z.string().optional(), key: z.string().optional() }).optional(),
    installation: z.object({ contexts: z.array(z.object({ name: z.string().nullish(), apiBaseUrl: z.string().nullish() })).nullish() }).nullish(),
  }),
  // Forge documents `context` as present for UI calls; for events it may be absent.
  context: z.object({ cloudId: z.string().min(1).nullish(), siteUrl: z.string().nullish() }).nullish(),
  /** The acting user's accountId, on calls from a UI module only. */
  principal: z.string().min(1).nullish(),
  jti: z.string().optional(),
});

export type ForgeInvocation = z.infer<typeof claimsSchema>;

/** The token is not acceptable: answer 401 and change nothing. */
export class ForgeTokenRejectedError extends Error {
  override readonly name = 'ForgeTokenRejectedError';
}

/** The keys to check the token with could not be fetched: our problem, not the caller's (503). */
export class ForgeKeysUnavailableError extends Error {
  override readonly name = 'ForgeKeysUnavailableError';
}

export type ForgeInvocationTokenOptions = {
  /** The app id, `ari:cloud:ecosystem::app/<uuid>`: the audience of every token. */
  appId: string;
  /** Overrides the JWKS for every token; without it, production or staging as Forge's docs say. */
  jwksUrl?: string | undefined;
  /**
   * The origins a token's app.apiBaseUrl may name (FORGE_API_HOSTS: Atlassian's API hosts). The
   * app token goes there with every Jira call, so a token naming another host is refused even
   * when it is signed.
   */
  apiOrigins: readonly string[];
  /** Least time between two key fetches caused by unknown key ids (default 30 s). */
  cooldownMs?: number;
  /** Keys are fetched again after this long even when every kid is known (default 10 minutes). */
  cacheMaxAgeMs?: number;
};

/**
 * Verifies Forge Invocation Tokens (RS256, Forge's issuer, this app as audience, not expired).
 * One remote key set per JWKS URL lives as long as the verifier: keys are fetched once, again
 * when a token names an unknown key id (at most once per cooldown), and when they grow old.
 */
export class ForgeInvocationTokenVerifier {
  readonly #keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
  readonly #keys = new Map<string, { key: KeyObject; until: number }>();
  /** apiBaseUrl → allowed: a site sends the same one with every invocation, so each is parsed once. */
  readonly #apiBaseUrls = new Map<string, boolean>();

  constructor(private readonly options: ForgeInvocationTokenOptions) {}

  async verify(token: string): Promise<ForgeInvocation> {
    // The token is split and decoded once; its signature is checked over the very bytes decoded.
    const [encodedHeader, encodedPayload, signature, extra] = token.split('.');
    let header: ProtectedHeaderParameters;
    let claims: JWTPayload;
    try {
      if (!encodedHeader || !encodedPayload || extra !== undefined) throw new Error('not three parts');
      header = decodeJsonObject(encodedHeader);
      claims = decodeJsonObject(encodedPayload);
    } catch {
      throw new ForgeTokenRejectedError('the token is not a JWT');
    }
    if (header.alg !== 'RS256') throw new ForgeTokenRejectedError('the token is not signed with RS256');
    if (!header.kid) throw new ForgeTokenRejectedError('the token names no signing key');
    const jwksUrl = this.options.jwksUrl ?? jwksUrlFor(claims as { app?: unknown });

    const key = await this.publicKey(jwksUrl, header);
    const signed = Buffer.from(`${encodedHeader}.${encodedPayload}`);
    if (!signature || !verifySignature('sha256', signed, key, Buffer.from(signature, 'base64url'))) {
      throw new ForgeTokenRejectedError('the signature does not verify');
    }
    checkRegisteredClaims(claims, this.options.appId);

    const parsed = claimsSchema.safeParse(claims);
    if (!parsed.success) throw new ForgeTokenRejectedError('the token lacks the app claims Forge sends');
    if (parsed.data.app.id !== this.options.appId) throw new ForgeTokenRejectedError('the token is for another app');
    if (!this.#allowedApiBaseUrl(parsed.data.app.apiBaseUrl)) {
      throw new ForgeTokenRejectedError('the token sends Jira calls to a host that is not an Atlassian API host');
    }
    return parsed.data;
  }

  #allowedApiBaseUrl(apiBaseUrl: string): boolean {
    let allowed = this.#apiBaseUrls.get(apiBaseUrl);
    if (allowed === undefined) {
      allowed = isAllowedApiBaseUrl(apiBaseUrl, this.options.apiOrigins);
      if (this.#apiBaseUrls.size >= 10_000) this.#apiBaseUrls.clear();
      this.#apiBaseUrls.set(apiBaseUrl, allowed);
    }
    return allowed;
  }

  /**
   * The signing key for a token, as a node KeyObject: jose's remote key set fetches, caches and
   * refreshes the JWKS; the KeyObject kept per key id lets node verify each signature in one
   * synchronous call instead of a WebCrypto round trip (the event ingest's hottest step).
   */
  private async publicKey(jwksUrl: string, header: ProtectedHeaderParameters): Promise<KeyObject> {
    const cacheKey = `${jwksUrl}#${header.kid}`;
    const cached = this.#keys.get(cacheKey);
    if (cached && cached.until > Date.now()) return cached.key;
    let cryptoKey: CryptoKey;
    try {
      cryptoKey = await this.keySet(jwksUrl)(header, { payload: '', signature: '' });
    } catch (error) {
      throw classify(error);
    }
    const key = KeyObject.from(cryptoKey);
    if (key.asymmetricKeyType !== 'rsa') throw new ForgeTokenRejectedError('the signing key is not an RSA key');
    this.#keys.set(cacheKey, { key, until: Date.now() + (this.options.cacheMaxAgeMs ?? 600_000) });
    return key;
  }

  private keySet(url: string): ReturnType<typeof createRemoteJWKSet> {
    let keySet = this.#keySets.get(url);
    if (!keySet) {
      keySet = createRemoteJWKSet(new URL(url), {
        cooldownDuration: this.options.cooldownMs ?? 30_000,
        cacheMaxAge: this.options.cacheMaxAgeMs ?? 600_000,
        timeoutDuration: 5_000,
      });
      this.#keySets.set(url, keySet);
    }
    return keySet;
  }
}

/** One base64url part of a JWT, which must hold a JSON object. */
function decodeJsonObject(part: string): Record<string, unknown> {
  const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object');
  return value as Record<string, unknown>;
}

/** Forge's issuer, this app as audience, and a token that is neither expired nor from the future. */
function checkRegisteredClaims(claims: JWTPayload, appId: string): void {
  const now = Math.floor(Date.now() / 1000);
  if (typeof claims.exp !== 'number') throw new ForgeTokenRejectedError('the token has no expiry');
  if (claims.exp <= now) throw new ForgeTokenRejectedError('the token has expired');
  if (typeof claims.nbf === 'number' && claims.nbf > now + CLOCK_TOLERANCE_SECONDS) {
    throw new ForgeTokenRejectedError('the token is not valid yet');
  }
  if (claims.iss !== ISSUER) throw new ForgeTokenRejectedError('the token was not issued by Forge');
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(appId)) throw new ForgeTokenRejectedError('the token is not for this app');
}

/** On one of the allowed origins, and with no user info that would change where a request goes. */
function isAllowedApiBaseUrl(apiBaseUrl: string, origins: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(apiBaseUrl);
  } catch {
    return false;
  }
  return url.username === '' && url.password === '' && origins.includes(url.origin);
}

/** Without FORGE_JWKS_URL: staging keys for staging tokens (by their apiBaseUrl), else production. */
export function jwksUrlFor(claims: { app?: unknown }): string {
  const apiBaseUrl = (claims.app as { apiBaseUrl?: unknown } | undefined)?.apiBaseUrl;
  return typeof apiBaseUrl === 'string' && apiBaseUrl.startsWith(STAGING_API_PREFIX) ? STAGING_JWKS_URL : PRODUCTION_JWKS_URL;
}

/** Why no key could be had for the token, in words for the caller; never the token itself. */
function classify(error: unknown): Error {
  if (error instanceof errors.JWKSNoMatchingKey) return new ForgeTokenRejectedError('the token is signed with a key Forge does not publish');
  // A failed key fetch is a timeout, an invalid key set, a generic JOSEError (not 200, not JSON)
  // or no JOSEError at all (DNS, connection refused): none of them says the token is bad.
  const fetchFailed =
    !(error instanceof errors.JOSEError) ||
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid ||
    error.code === 'ERR_JOSE_GENERIC';
  return fetchFailed
    ? new ForgeKeysUnavailableError("Forge's signing keys could not be fetched")
    : new ForgeTokenRejectedError('the token is not valid');
}

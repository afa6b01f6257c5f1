import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { z } from 'zod';

export const PRODUCTION_JWKS_URL = 'https://forge.cdn.prod.atlassian-dev.net/.well-known/jwks.json';
export const STAGING_JWKS_URL = 'https://forge.cdn.stg.atlassian-dev.net/.well-known/jwks.json';
/** Forge's docs: tokens whose app.apiBaseUrl is on this host are signed with the staging keys. */
const STAGING_API_PREFIX = 'https://api.stg.atlassian.com/';
const ISSUER = 'forge/invocation-token';

/** The claims this app uses; anything else in the token is ignored. */
const claimsSchema = z.object({
  app: z.object({
    id: z.string().min(1),
    installationId: z.string().min(1),
    apiBaseUrl: z.string().url(),
    appVersion: z.string().optional(),
    environment: z.object({ type: z.string().optional(), id: z.string().optional() }).optional(),
    module: z.object({ type: z.string().optional(), key: z.string().optional() }).optional(),
    installation: z
      .object({ contexts: z.array(z.object({ name: z.string().nullish(), apiBaseUrl: z.string().nullish() })).nullish() })
      .nullish(),
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

  constructor(private readonly options: ForgeInvocationTokenOptions) {}

  async verify(token: string): Promise<ForgeInvocation> {
    let jwksUrl: string;
    try {
      // Checked before any key is fetched, so a token of another kind costs no network call.
      const header = decodeProtectedHeader(token);
      if (header.alg !== 'RS256') throw new ForgeTokenRejectedError('the token is not signed with RS256');
      if (!header.kid) throw new ForgeTokenRejectedError('the token names no signing key');
      // Chosen from the claims before they are verified; the signature then vouches for them.
      jwksUrl = this.options.jwksUrl ?? jwksUrlFor(decodeJwt(token));
    } catch (error) {
      if (error instanceof ForgeTokenRejectedError) throw error;
      throw new ForgeTokenRejectedError('the token is not a JWT');
    }

    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, this.keySet(jwksUrl), {
        algorithms: ['RS256'],
        issuer: ISSUER,
        audience: this.options.appId,
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      throw classify(error);
    }

    const parsed = claimsSchema.safeParse(payload);
    if (!parsed.success) throw new ForgeTokenRejectedError('the token lacks the app claims Forge sends');
    if (parsed.data.app.id !== this.options.appId) throw new ForgeTokenRejectedError('the token is for another app');
    return parsed.data;
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

/** Without FORGE_JWKS_URL: staging keys for staging tokens (by their apiBaseUrl), else production. */
export function jwksUrlFor(claims: { app?: unknown }): string {
  const apiBaseUrl = (claims.app as { apiBaseUrl?: unknown } | undefined)?.apiBaseUrl;
  return typeof apiBaseUrl === 'string' && apiBaseUrl.startsWith(STAGING_API_PREFIX) ? STAGING_JWKS_URL : PRODUCTION_JWKS_URL;
}

/** Sentences for the caller; never the token itself. */
function classify(error: unknown): Error {
  if (error instanceof errors.JWTExpired) return new ForgeTokenRejectedError('the token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    const what = error.claim === 'aud' ? 'is not for this app' : error.claim === 'iss' ? 'was not issued by Forge' : `has an invalid "${error.claim}" claim`;
    return new ForgeTokenRejectedError(`the token ${what}`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return new ForgeTokenRejectedError('the signature does not verify');
  if (error instanceof errors.JWKSNoMatchingKey) return new ForgeTokenRejectedError("the token is signed with a key Forge does not publish");
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

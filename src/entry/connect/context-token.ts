import { decodeSymmetric, getAlgorithm, SymmetricAlgorithm } from 'atlassian-jwt';

/** What AP.context.getToken() yields lives 15 minutes; no genuine context token promises more. */
export const CONTEXT_TOKEN_LIFETIME_SECONDS = 15 * 60;
/** Leeway for a server clock a little behind Jira's, on top of the lifetime. */
export const CONTEXT_TOKEN_CLOCK_SKEW_SECONDS = 60;
/** The query string hash Jira puts in context tokens: not bound to one request, only to the iframe. */
const CONTEXT_QSH = 'context-qsh';

/** The parts of ACE's stored install (`clientInfo`) the verification needs. */
export type ConnectInstall = { sharedSecret?: unknown; baseUrl?: unknown };

export type VerifiedContextToken = { clientKey: string; hostBaseUrl: string | undefined; userAccountId: string };

/**
 * The token is not a valid context token: the caller gets a generic 401 and changes nothing.
 * `reason` and `clientKey` are for the log only; they never reach the caller, since they would
 * tell a prober which sites have installed the app.
 */
export class ContextTokenRejectedError extends Error {
  override readonly name = 'ContextTokenRejectedError';
  constructor(
    readonly reason: string,
    readonly clientKey?: string,
  ) {
    super(reason);
  }
}

type Claims = {
  iss?: unknown;
  aud?: unknown;
  sub?: unknown;
  qsh?: unknown;
  exp?: unknown;
  context?: { user?: { accountId?: unknown } };
};

/**
 * Verifies a Connect context token for the admin API, stricter than ACE's checkValidToken: HS256
 * only, signed with the site's shared secret, `qsh` exactly "context-qsh" (so a page-load or
 * webhook token made for another request does not pass, nor does ACE's qsh-less session token),
 * and an `exp` that is present, in the future and no further than a context token can live.
 */
export async function verifyContextToken(
  token: string,
  installOf: (clientKey: string) => Promise<ConnectInstall | null | undefined>,
  nowMs: number = Date.now(),
): Promise<VerifiedContextToken> {
  let unverified: Claims;
  try {
    // Checked before anything else: 'none' or an RSA/HMAC confusion never gets to a key.
    if (getAlgorithm(token) !== SymmetricAlgorithm.HS256) throw new ContextTokenRejectedError('the token is not signed with HS256');
    unverified = decodeSymmetric(token, '', SymmetricAlgorithm.HS256, true) as Claims;
  } catch (error) {
    if (error instanceof ContextTokenRejectedError) throw error;
    throw new ContextTokenRejectedError('the token is not a JWT');
  }

  // ACE's reading: the audience names the site when present, else the issuer.
  const clientKey: unknown = Array.isArray(unverified.aud) && unverified.aud.length > 0 ? unverified.aud[0] : unverified.iss;
  if (typeof clientKey !== 'string' || clientKey === '') throw new ContextTokenRejectedError('the token names no site');
  const install = await installOf(clientKey);
  if (!install || typeof install.sharedSecret !== 'string' || install.sharedSecret === '') {
    throw new ContextTokenRejectedError('no installation is stored for the site the token names', clientKey);
  }

  let claims: Claims;
  try {
    claims = decodeSymmetric(token, install.sharedSecret, SymmetricAlgorithm.HS256, false) as Claims;
  } catch {
    // atlassian-jwt's message quotes the token's header and payload: it is not passed on.
    throw new ContextTokenRejectedError("the signature does not verify with the site's shared secret", clientKey);
  }
  if (claims.qsh !== CONTEXT_QSH) {
    throw new ContextTokenRejectedError('the token is not a context token (its qsh is for another request, or missing)', clientKey);
  }
  const now = Math.floor(nowMs / 1000);
  if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) throw new ContextTokenRejectedError('the token has no expiry', clientKey);
  if (claims.exp <= now) throw new ContextTokenRejectedError('the token has expired', clientKey);
  if (claims.exp > now + CONTEXT_TOKEN_LIFETIME_SECONDS + CONTEXT_TOKEN_CLOCK_SKEW_SECONDS) {
    throw new ContextTokenRejectedError('the token expires later than a context token can', clientKey);
  }
  // ACE's reading again: context.user.accountId where Jira sends it, else `sub`.
  const accountId = claims.context?.user?.accountId ?? claims.sub;
  if (typeof accountId !== 'string' || accountId === '') throw new ContextTokenRejectedError('the token names no user', clientKey);

  return { clientKey, hostBaseUrl: typeof install.baseUrl === 'string' ? install.baseUrl : undefined, userAccountId: accountId };
}

import { TargetError } from '../../domain/errors.js';
import type { BitbucketCredentials, TargetGroup } from '../../domain/model.js';
import type { BitbucketGateway } from './bitbucket-target.js';
import { observedFetch, type CallObserver } from '../observed-fetch.js';
import { errorFromNetworkFailure, errorFromResponse } from './classify-response.js';
import { OAuthTokenCache, type IssuedToken } from './oauth-token-cache.js';
import { parseGroupMembers, parseGroups } from './parse-groups.js';

export type BitbucketRequestKind = 'invitation' | 'request';

export type BitbucketClientOptions = {
  /** e.g. https://api.bitbucket.org or a simulator URL, no trailing slash. */
  apiUrl: string;
  /** e.g. https://bitbucket.org/site/oauth2/access_token */
  oauthTokenUrl: string;
  /**
   * Called before every HTTP request to the API (not the token endpoint), with the credentials
   * it is sent with: Bitbucket counts requests per user. An invitation PUT is called with
   * 'invitation' only; the implementation counts it as a request too.
   * Resolves when the caller's rate limit allows.
   */
  throttle?: (workspace: string, kind: BitbucketRequestKind, credentials: BitbucketCredentials) => Promise<void>;
  /** Per request, default 10 000. */
  timeoutMs?: number;
  /** Told about every call, the token endpoint's included (the app's metrics). */
  observeCall?: CallObserver;
};

type OAuthConsumer = Extract<BitbucketCredentials, { type: 'oauth-consumer' }>;
type ApiRequest = { workspace: string; kind: BitbucketRequestKind; action: string; method: 'GET' | 'PUT' | 'DELETE'; path: string; body?: unknown };
type ApiResponse = { status: number; ok: boolean; retryAfter: string | null; body: string };

const TOKEN_ACTION = 'Getting an OAuth access token from Bitbucket';

/**
 * Bitbucket Cloud's 1.0 group API (CONTRACTS §4). Classifies every failure once as a TargetError
 * and does not retry: the job layer owns retries and backoff. The one exception is a cached OAuth
 * token that Bitbucket refuses, which is replaced and the request sent once more.
 */
export class BitbucketClient implements BitbucketGateway {
  readonly #apiUrl: string;
  readonly #oauthTokenUrl: string;
  readonly #throttle: NonNullable<BitbucketClientOptions['throttle']>;
  readonly #timeoutMs: number;
  readonly #observeCall: CallObserver | undefined;
  readonly #tokens = new OAuthTokenCache();

  constructor(options: BitbucketClientOptions) {
    this.#apiUrl = options.apiUrl.replace(/\/+$/, '');
    this.#oauthTokenUrl = options.oauthTokenUrl;
    this.#throttle = options.throttle ?? (async () => {});
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#observeCall = options.observeCall;
  }

  async listGroups(workspace: string, credentials: BitbucketCredentials): Promise<TargetGroup[]> {
    const action = `Listing the groups of Bitbucket workspace "${workspace}"`;
    const path = `/1.0/groups/${encodeURIComponent(workspace)}`;
    const response = await this.#send(credentials, { workspace, kind: 'request', action, method: 'GET', path });
    if (!response.ok) throw this.#failure(credentials, action, response);
    return parseGroups(response.body, action, response.status);
  }

  async invite(workspace: string, credentials: BitbucketCredentials, email: string, groupSlug: string): Promise<'sent' | 'already-invited'> {
    const action = `Inviting to group "${groupSlug}" of Bitbucket workspace "${workspace}"`;
    const path = `/1.0/users/${encodeURIComponent(workspace)}/invitations`;
    const body = { email, group_slug: groupSlug };
    const response = await this.#send(credentials, { workspace, kind: 'invitation', action, method: 'PUT', path, body });
    if (response.ok) return 'sent';
    // UNCERTAIN (CONTRACTS §4): what Bitbucket answers for an address already invited or already a
    // member is not documented for this resource; the sibling repository invitation answers 409.
    // A 409 therefore means the invitation exists, which is what we wanted: done, not a failure.
    if (response.status === 409) return 'already-invited';
    throw this.#failure(credentials, action, response);
  }

  /** The account ids of a group's members, from the same 1.0 listing (it carries `members`). */
  async groupMembers(workspace: string, credentials: BitbucketCredentials, groupSlug: string): Promise<string[] | null> {
    const action = `Listing the members of group "${groupSlug}" of Bitbucket workspace "${workspace}"`;
    const path = `/1.0/groups/${encodeURIComponent(workspace)}`;
    const response = await this.#send(credentials, { workspace, kind: 'request', action, method: 'GET', path });
    if (!response.ok) throw this.#failure(credentials, action, response);
    return parseGroupMembers(response.body, groupSlug, action, response.status);
  }

  /** `DELETE /1.0/groups/{workspace}/{group}/members/{member}` (CONTRACTS §4, legacy workspaces only). */
  async removeGroupMember(
    workspace: string,
    credentials: BitbucketCredentials,
    groupSlug: string,
    accountId: string,
  ): Promise<'removed' | 'not-a-member'> {
    const action = `Removing a member from group "${groupSlug}" of Bitbucket workspace "${workspace}"`;
    const path = `/1.0/groups/${encodeURIComponent(workspace)}/${encodeURIComponent(groupSlug)}/members/${encodeURIComponent(accountId)}`;
    const response = await this.#send(credentials, { workspace, kind: 'request', action, method: 'DELETE', path });
    if (response.ok) return 'removed';
    throw this.#failure(credentials, action, response);
  }

  async #send(credentials: BitbucketCredentials, request: ApiRequest): Promise<ApiResponse> {
    if (credentials.type === 'api-token') {
      return this.#fetchApi(request, basic(credentials.email, credentials.token), credentials);
    }
    const first = await this.#tokens.get(credentials.key, credentials.secret, () => this.#requestToken(credentials));
    const response = await this.#fetchApi(request, `Bearer ${first.accessToken}`, credentials, first.accessToken);
    // A cached token may have been revoked before its expiry; a freshly issued one being refused is final.
    if (response.status !== 401 || !first.fromCache) return response;
    this.#tokens.drop(credentials.key, credentials.secret, first.accessToken);
    const fresh = await this.#tokens.get(credentials.key, credentials.secret, () => this.#requestToken(credentials));
    return this.#fetchApi(request, `Bearer ${fresh.accessToken}`, credentials, fresh.accessToken);
  }

  async #fetchApi(request: ApiRequest, authorization: string, credentials: BitbucketCredentials, accessToken?: string): Promise<ApiResponse> {
    await this.#throttle(request.workspace, request.kind, credentials);
    const headers: Record<string, string> = { Authorization: authorization, Accept: 'application/json' };
    if (request.body !== undefined) headers['Content-Type'] = 'application/json';
    try {
      return await this.#fetch(`${this.#apiUrl}${request.path}`, {
        method: request.method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
      });
    } catch (error) {
      throw scrub(errorFromNetworkFailure(request.action, error, this.#timeoutMs), secretsOf(credentials, accessToken));
    }
  }

  async #requestToken(consumer: OAuthConsumer): Promise<IssuedToken> {
    let response: ApiResponse;
    try {
      response = await this.#fetch(this.#oauthTokenUrl, {
        method: 'POST',
        headers: {
          Authorization: basic(consumer.key, consumer.secret),
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
        },
        body: 'grant_type=client_credentials',
      });
    } catch (error) {
      throw scrub(errorFromNetworkFailure(TOKEN_ACTION, error, this.#timeoutMs), secretsOf(consumer));
    }
    // Bitbucket answers 400 invalid_client for a wrong key or secret, 401 when it cannot read them.
    if (response.status === 400 || response.status === 401) {
      throw new TargetError('credentials-rejected', 'Bitbucket rejected the OAuth consumer key or secret.', response.status);
    }
    if (!response.ok) throw this.#failure(consumer, TOKEN_ACTION, response);
    return parseIssuedToken(response);
  }

  /** One place for fetch options every call shares; reads the body under the same timeout. */
  async #fetch(url: string, init: RequestInit): Promise<ApiResponse> {
    const response = await observedFetch(this.#observeCall, url, {
      ...init,
      // A redirect would carry the credentials to wherever it points; treat it as a rejection instead.
      redirect: 'manual',
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    const body = await response.text();
    return { status: response.status, ok: response.ok, retryAfter: response.headers.get('retry-after'), body };
  }

  #failure(credentials: BitbucketCredentials, action: string, response: ApiResponse): TargetError {
    return scrub(errorFromResponse(action, response.status, response.retryAfter, response.body), secretsOf(credentials));
  }
}

function parseIssuedToken(response: ApiResponse): IssuedToken {
  let json: unknown;
  try {
    json = JSON.parse(response.body);
  } catch {
    json = undefined;
  }
  const { access_token: accessToken, expires_in: expiresIn } = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw new TargetError('rejected', `${TOKEN_ACTION} failed: the answer carried no access token.`, response.status);
  }
  return { accessToken, expiresInSeconds: typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : null };
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

function secretsOf(credentials: BitbucketCredentials, accessToken?: string): string[] {
  const secrets = credentials.type === 'oauth-consumer' ? [credentials.secret] : [credentials.token];
  return accessToken ? [...secrets, accessToken] : secrets;
}

/**
 * Error messages end up in logs and in the admin's UI. Bitbucket has no reason to echo a secret,
 * but its message is quoted verbatim, so anything that looks like one is removed regardless.
 */
function scrub(error: TargetError, secrets: string[]): TargetError {
  let message = error.message;
  for (const secret of secrets) {
    if (secret.length >= 4) message = message.split(secret).join('[redacted]');
  }
  return message === error.message ? error : new TargetError(error.kind, message, error.status, error.retryAfterMs);
}

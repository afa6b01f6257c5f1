import { DomainError, JiraUnavailableError } from '../../domain/errors.js';
import type { EmailLookup, JiraGateway, JiraUser, JiraUserDirectory, JiraUserState, ListedJiraUser } from '../../domain/ports.js';
import { isStorableText } from '../../domain/storable-text.js';
import { observedFetch, type CallObserver } from '../observed-fetch.js';
import { parseRetryAfter } from '../retry-after.js';

const DEFAULT_TIMEOUT_MS = 10_000;

/** What differs between hosts in the sentences an admin reads: how the app is let in, and how to fix it. */
export type JiraHostWording = {
  /** Completes "the app needs …" when Jira will not share email addresses (400/403). */
  emailPermission: string;
  /** Follows "it refused the app's credentials (HTTP 401)." on an email lookup. */
  emailCredentialsHint: string;
  /** Follows a refused administrator check with 401. */
  adminCheckCredentialsHint: string;
};

export interface JiraRestClientOptions {
  /** The site, or (Forge) the `app.apiBaseUrl` that routes to it. */
  baseUrl: string;
  /** The Authorization header for one request; called per request so it can sign the URL. */
  authorize: (method: 'GET' | 'POST', url: string) => string;
  wording: JiraHostWording;
  timeoutMs?: number;
  /** Told about every call (the app's metrics). */
  observeCall?: CallObserver;
}

/**
 * The Jira REST calls the app makes, whichever host installed it: Connect and Forge differ
 * only in how a request is authorized and in how a refusal is explained.
 */
export class JiraRestClient implements JiraGateway, JiraUserDirectory {
  private readonly baseUrl: string;
  // Private fields: the authorizer closes over a secret, which must stay out of logs and inspect output.
  readonly #authorize: JiraRestClientOptions['authorize'];
  readonly #wording: JiraHostWording;
  private readonly timeoutMs: number;
  readonly #observeCall: CallObserver | undefined;

  constructor(options: JiraRestClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#authorize = options.authorize;
    this.#wording = options.wording;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#observeCall = options.observeCall;
  }

  async getUserEmail(accountId: string): Promise<EmailLookup> {
    const path = `/rest/api/3/user/email?${new URLSearchParams({ accountId }).toString()}`;
    const response = await this.send('GET', path, 'the email address lookup');
    const { status } = response;

    if (response.ok) {
      const body = await this.readJson(response, 'the email address lookup');
      const email = (body as { email?: unknown } | null)?.email;
      if (typeof email !== 'string' || email.trim() === '')
        return { found: false, reason: 'Jira answered without an email address for this account.' };
      // An address with a null or malformed character is no address Bitbucket could deliver to.
      if (!isStorableText(email))
        return { found: false, reason: 'Jira answered with an email address that contains characters no email address can have.' };
      return { found: true, email: email.trim() };
    }
    await response.body?.cancel();
    // Jira's published OpenAPI says 400 for an app not approved for the email API; this project
    // first expected 403. Both mean the same to an admin, so both get this sentence.
    if (status === 400 || status === 403) {
      return {
        found: false,
        reason: `Jira did not share this user's email address: the app needs ${this.#wording.emailPermission} (HTTP ${status}).`,
      };
    }
    if (status === 401) {
      // Not an answer about this user: the app's credentials were refused (a Forge app token
      // revoked or stale, a Connect shared secret replaced). Fresh ones cure it, so this waits.
      throw new JiraUnavailableError(
        `Jira did not share this user's email address yet: it refused the app's credentials (HTTP 401). ${this.#wording.emailCredentialsHint}`,
        401,
        null,
        'fresh-credentials',
      );
    }
    if (status === 404) return { found: false, reason: 'Jira has no user with this account ID.' };
    if (status === 429 || status >= 500) {
      // The docs say 503 means "the API is not currently enabled"; retrying lets a passing outage
      // heal, and delivery's attempt limit ends it if the API stays off.
      throw this.unavailable('the email address lookup', response);
    }
    return { found: false, reason: `Jira refused to share this user's email address (HTTP ${status}).` };
  }

  /**
   * Offboarding's question. 404 is Jira's answer for a deleted account (CONTRACTS §2-3); every
   * other failure, a refusal included, is thrown as JiraUnavailableError: the user's state is then
   * unknown, and an unknown state never counts as inactive.
   */
  async getUser(accountId: string): Promise<JiraUserState> {
    const what = "the user's status check";
    const response = await this.send('GET', `/rest/api/3/user?${new URLSearchParams({ accountId }).toString()}`, what);
    if (response.ok) {
      const body = (await this.readJson(response, what)) as { active?: unknown; displayName?: unknown } | null;
      if (typeof body?.active !== 'boolean')
        throw new JiraUnavailableError(`Jira answered ${what} without saying whether the user is active.`, response.status);
      return { found: true, active: body.active, displayName: typeof body.displayName === 'string' ? body.displayName : null };
    }
    if (response.status === 404) {
      await response.body?.cancel();
      return { found: false };
    }
    if (response.status === 429 || response.status >= 500) throw this.unavailable(what, response);
    const detail = await errorDetail(response);
    throw new JiraUnavailableError(`Jira refused ${what} (HTTP ${response.status})${detail}.`, response.status);
  }

  async isAdministrator(accountId: string): Promise<boolean> {
    const what = 'the administrator permission check';
    const response = await this.send('POST', '/rest/api/3/permissions/check', what, {
      accountId,
      globalPermissions: ['ADMINISTER'],
    });
    if (response.ok) {
      const body = await this.readJson(response, what);
      const granted = (body as { globalPermissions?: unknown } | null)?.globalPermissions;
      return Array.isArray(granted) && granted.includes('ADMINISTER');
    }
    if (response.status === 429 || response.status >= 500) throw this.unavailable(what, response);
    const detail = await errorDetail(response);
    const hint = response.status === 401 ? ` ${this.#wording.adminCheckCredentialsHint}` : '';
    throw new DomainError('upstream-rejected', `Jira refused ${what} (HTTP ${response.status})${detail}.${hint}`);
  }

  async getUserGroups(accountId: string): Promise<string[]> {
    const what = "the user's group lookup";
    const body = await this.getJson(`/rest/api/3/user/groups?${new URLSearchParams({ accountId }).toString()}`, what, { notFound: [] });
    if (!Array.isArray(body)) throw new JiraUnavailableError(`Jira answered ${what} with something other than a list of groups.`);
    return body.flatMap((group: unknown) => {
      const name = (group as { name?: unknown } | null)?.name;
      return typeof name === 'string' ? [name] : [];
    });
  }

  async searchUsers(query: string, maxResults: number): Promise<JiraUser[]> {
    const what = 'the user search';
    const params = new URLSearchParams({ query, maxResults: String(maxResults) });
    const body = await this.getJson(`/rest/api/3/user/search?${params.toString()}`, what, { notFound: [] });
    return Array.isArray(body) ? body.flatMap((item: unknown) => toJiraUser(item) ?? []) : [];
  }

  async findUser(accountId: string): Promise<JiraUser | null> {
    const body = await this.getJson(`/rest/api/3/user?${new URLSearchParams({ accountId }).toString()}`, 'the user lookup', { notFound: null });
    return toJiraUser(body);
  }

  /** A GET whose 404 means "none" (answered with `notFound`); 401, 429 and 5xx are worth another try later; other refusals are final. */
  private async getJson(pathWithQuery: string, what: string, options: { notFound: unknown }): Promise<unknown> {
    const response = await this.send('GET', pathWithQuery, what);
    if (response.ok) return this.readJson(response, what);
    if (response.status === 404) {
      await response.body?.cancel();
      return options.notFound;
    }
    if (response.status === 429 || response.status >= 500) throw this.unavailable(what, response);
    if (response.status === 401) {
      await response.body?.cancel();
      throw new JiraUnavailableError(
        `Jira refused the app's credentials for ${what} (HTTP 401). ${this.#wording.emailCredentialsHint}`,
        401,
        null,
        'fresh-credentials',
      );
    }
    const detail = await errorDetail(response);
    throw new DomainError('upstream-rejected', `Jira refused ${what} (HTTP ${response.status})${detail}.`);
  }

  /**
   * GET /rest/api/3/users/search. Jira answers a bare array, and documents no total. UNCERTAIN:
   * whether a page may come back shorter than `maxResults` before the end (Jira caps pages and
   * filters by privacy): the caller moves on by the number of accounts received and stops at an
   * empty page, which reads some accounts twice at worst, never skips one.
   */
  async listUsers(page: { startAt: number; maxResults: number }): Promise<ListedJiraUser[]> {
    const what = "the listing of the site's users";
    const query = new URLSearchParams({ startAt: String(page.startAt), maxResults: String(page.maxResults) });
    const response = await this.send('GET', `/rest/api/3/users/search?${query.toString()}`, what);
    if (!response.ok) {
      if (response.status === 429 || response.status >= 500 || response.status === 401) throw this.unavailable(what, response);
      const detail = await errorDetail(response);
      throw new DomainError('upstream-rejected', `Jira refused ${what} (HTTP ${response.status})${detail}.`);
    }
    const body = await this.readJson(response, what);
    if (!Array.isArray(body)) throw new JiraUnavailableError(`Jira answered ${what} with something other than a list of users.`, response.status);
    return body.flatMap((raw: unknown): ListedJiraUser[] => {
      const user = (raw ?? {}) as { accountId?: unknown; displayName?: unknown; emailAddress?: unknown; accountType?: unknown; active?: unknown };
      if (typeof user.accountId !== 'string' || user.accountId === '' || !isStorableText(user.accountId)) return [];
      const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' && isStorableText(value) ? value.trim() : null);
      return [
        {
          accountId: user.accountId,
          displayName: text(user.displayName),
          email: text(user.emailAddress),
          accountType: text(user.accountType),
          active: user.active !== false,
        },
      ];
    });
  }

  private async send(method: 'GET' | 'POST', pathWithQuery: string, what: string, json?: unknown): Promise<Response> {
    const url = `${this.baseUrl}${pathWithQuery}`;
    const headers: Record<string, string> = { Authorization: this.#authorize(method, url), Accept: 'application/json' };
    if (json !== undefined) {
      headers['Content-Type'] = 'application/json';
      // Jira's XSRF filter can refuse server-side POSTs without it; ACE's own permission check sends it.
      headers['X-Atlassian-Token'] = 'nocheck';
    }
    try {
      return await observedFetch(this.#observeCall, url, {
        method,
        headers,
        ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      // Only the error's name and code go into the message: never the request, which carries the token.
      throw new JiraUnavailableError(`Jira at ${this.baseUrl} did not answer ${what}: ${describeFetchFailure(error, this.timeoutMs)}.`);
    }
  }

  private async readJson(response: Response, what: string): Promise<unknown> {
    try {
      return await response.json();
    } catch {
      // A 2xx that is not JSON is usually a proxy or maintenance page: worth another try later.
      throw new JiraUnavailableError(`Jira answered ${what} with HTTP ${response.status} but no JSON body.`, response.status);
    }
  }

  private unavailable(what: string, response: Response): JiraUnavailableError {
    void response.body?.cancel().catch(() => undefined);
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    const reason = response.status === 429 ? 'is rate limiting the app' : 'is unavailable';
    return new JiraUnavailableError(`Jira ${reason}: ${what} answered HTTP ${response.status}.`, response.status, retryAfterMs);
  }
}

/** A user of Jira's answers; null for anything without an account id. */
function toJiraUser(value: unknown): JiraUser | null {
  const user = value as { accountId?: unknown; displayName?: unknown; accountType?: unknown; emailAddress?: unknown; active?: unknown } | null;
  if (!user || typeof user.accountId !== 'string' || user.accountId === '' || !isStorableText(user.accountId)) return null;
  const text = (field: unknown) => (typeof field === 'string' && field.trim() !== '' && isStorableText(field) ? field.trim() : null);
  return {
    accountId: user.accountId,
    displayName: text(user.displayName),
    accountType: text(user.accountType),
    email: text(user.emailAddress),
    active: user.active !== false,
  };
}

function describeFetchFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${timeoutMs} ms`;
  }
  const code = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof code === 'string' ? `the connection failed (${code})` : 'the connection failed';
}

/** Jira's `errorMessages`, for an admin-readable error; capped so a large page cannot flood logs. */
async function errorDetail(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { errorMessages?: unknown };
    const messages = Array.isArray(body.errorMessages) ? body.errorMessages.filter((m) => typeof m === 'string') : [];
    return messages.length > 0 ? `: ${messages.join(' ').slice(0, 300)}` : '';
  } catch {
    return '';
  }
}

import { JiraUnavailableError } from '../../domain/errors.js';
import type { CallObserver } from '../observed-fetch.js';
import { JiraRestClient } from './jira-rest-client.js';

export interface ForgeJiraClientOptions {
  /** The invocation token's `app.apiBaseUrl` (https://api.atlassian.com/ex/jira/<cloudId>). */
  apiBaseUrl: string;
  /** The app token Forge sent in x-forge-oauth-system. */
  appToken: string;
  timeoutMs?: number;
  observeCall?: CallObserver;
}

const FORGE_WORDING = {
  emailPermission: "the read:email-address:jira scope, which the site's admin grants when installing or updating the app",
  emailCredentialsHint: 'Forge sends the app a new token with each event and page load; if Jira keeps refusing, reinstall the app on the site.',
  adminCheckCredentialsHint: 'The app token Forge last sent may have been revoked: reload the page, or reinstall the app on the site.',
};

/** Calls one Jira Cloud site as a Forge app: `{apiBaseUrl}/rest/api/3/...` with the app token as Bearer. */
export class ForgeJiraClient extends JiraRestClient {
  constructor(options: ForgeJiraClientOptions) {
    const authorization = `Bearer ${options.appToken}`;
    super({
      baseUrl: options.apiBaseUrl,
      authorize: () => authorization,
      wording: FORGE_WORDING,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.observeCall ? { observeCall: options.observeCall } : {}),
    });
  }
}

/**
 * A stored token this close to its expiry is treated as expired: it could lapse between this
 * check and Jira reading it, and a 401 then would cost the user an attempt for nothing.
 */
export const APP_TOKEN_EXPIRY_MARGIN_MS = 60_000;

/**
 * The client for a site whose app token was stored earlier (jobs run without an invocation at
 * hand). No token, or one about to expire, is a wait rather than a refusal: Forge sends a new
 * token with the next event or page load, and the next attempt then goes through.
 */
export function forgeJiraClientFrom(
  credentials: { apiBaseUrl: string; appToken: string; expiresAt: Date } | null,
  siteUrl: string,
  now: number = Date.now(),
  observeCall?: CallObserver,
): ForgeJiraClient {
  const site = siteUrl || 'this site';
  if (!credentials) {
    throw new JiraUnavailableError(
      `Forge has not sent an app token for ${site} yet; it comes with the next event or page load.`,
      null,
      null,
      'fresh-credentials',
    );
  }
  if (credentials.expiresAt.getTime() - APP_TOKEN_EXPIRY_MARGIN_MS <= now) {
    throw new JiraUnavailableError(
      `The app token Forge last sent for ${site} is valid only until ${credentials.expiresAt.toISOString()}; waiting for a fresh one, which comes with the next event or page load.`,
      null,
      null,
      'fresh-credentials',
    );
  }
  return new ForgeJiraClient({ apiBaseUrl: credentials.apiBaseUrl, appToken: credentials.appToken, ...(observeCall ? { observeCall } : {}) });
}

import { JiraRestClient } from './jira-rest-client.js';
import { JiraUnavailableError } from './jira-unavailable-error.js';

export interface ForgeJiraClientOptions {
  /** The invocation token's `app.apiBaseUrl` (https://api.atlassian.com/ex/jira/<cloudId>). */
  apiBaseUrl: string;
  /** The app token Forge sent in x-forge-oauth-system. */
  appToken: string;
  timeoutMs?: number;
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
    });
  }
}

/**
 * The client for a site whose app token was stored earlier (jobs run without an invocation at
 * hand). No token, or an expired one, is a wait rather than a refusal: Forge sends a new token
 * with the next event or page load, and the job's retry then goes through.
 */
export function forgeJiraClientFrom(
  credentials: { apiBaseUrl: string; appToken: string; expiresAt: Date } | null,
  siteUrl: string,
  now: number = Date.now(),
): ForgeJiraClient {
  const site = siteUrl || 'this site';
  if (!credentials) {
    throw new JiraUnavailableError(`Forge has not sent an app token for ${site} yet; it comes with the next event or page load.`);
  }
  if (credentials.expiresAt.getTime() <= now) {
    throw new JiraUnavailableError(
      `The app token Forge last sent for ${site} expired at ${credentials.expiresAt.toISOString()}; a new one comes with the next event or page load.`,
    );
  }
  return new ForgeJiraClient({ apiBaseUrl: credentials.apiBaseUrl, appToken: credentials.appToken });
}

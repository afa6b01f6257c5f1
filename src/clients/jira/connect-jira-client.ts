import type { CallObserver } from '../observed-fetch.js';
import { signConnectRequest } from './connect-jwt.js';
import { JiraRestClient } from './jira-rest-client.js';

export { JiraUnavailableError } from '../../domain/errors.js';

export interface ConnectJiraClientOptions {
  baseUrl: string;
  appKey: string;
  sharedSecret: string;
  timeoutMs?: number;
  observeCall?: CallObserver;
}

const CONNECT_WORDING = {
  emailPermission: "Atlassian's approval for the ACCESS_EMAIL_ADDRESSES scope",
  emailCredentialsHint:
    'Reinstalling the app on the site renews them; if that does not help, the app may still need ' +
    "Atlassian's approval for the ACCESS_EMAIL_ADDRESSES scope.",
  adminCheckCredentialsHint: 'The stored shared secret may be stale: reinstall the app on the site.',
};

/** Calls one Jira Cloud site as a Connect app, signing each request with the install's shared secret. */
export class ConnectJiraClient extends JiraRestClient {
  constructor(options: ConnectJiraClientOptions) {
    const baseUrl = options.baseUrl.replace(/\/+$/, '');
    const { appKey, sharedSecret } = options;
    super({
      baseUrl,
      authorize: (method, url) => `JWT ${signConnectRequest({ method, url, baseUrl, appKey, sharedSecret })}`,
      wording: CONNECT_WORDING,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.observeCall ? { observeCall: options.observeCall } : {}),
    });
  }
}

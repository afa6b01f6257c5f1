// The server's sandbox endpoints (no auth: the sandbox only runs locally).
import { fallbackMessage, parseBody, toApiResult } from '../../src/host/api-result';
import type { ApiResult } from '../../src/host/host-bridge';

export interface SandboxState {
  siteUrl: string;
  clientKey: string;
  adminAccountId: string;
  adminName: string;
  demo: {
    workspace: string;
    oauthKey: string;
    oauthSecret: string;
    badSecret: string;
    /** A workspace without groups (the dialog's empty state); absent on older servers. */
    emptyWorkspace?: { workspace: string; oauthKey: string; oauthSecret: string };
  };
  appPageUrl: string;
  dialogUrl: string;
}

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiResult<T>> {
  try {
    const response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: { Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return toApiResult<T>(response.status, parseBody(await response.text()));
  } catch {
    return { ok: false, status: 0, message: fallbackMessage(0) };
  }
}

export const getSandboxState = () => call<SandboxState>('GET', '/sandbox/api/state');

export const createJiraUser = (displayName: string, email?: string) =>
  call<{ accountId: string }>('POST', '/sandbox/api/users', email ? { displayName, email } : { displayName });

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
    /** The simulated Atlassian organization and its organization API key; absent on older servers. */
    organization?: { name: string; apiKey: string };
  };
  appPageUrl: string;
  dialogUrl: string;
  /** The Forge site the sandbox also plays, or why it does not (FORGE_APP_ID set). */
  forge?: SandboxForgeSite | { unavailable: string };
}

export interface SandboxForgeSite {
  /** The Custom UI resource, served with the @forge/bridge stand-in. */
  appPageUrl: string;
  siteUrl: string;
  cloudId: string;
  environmentId: string;
  environmentType: string;
  moduleKey: string;
}

export type SandboxHost = 'connect' | 'forge';

/**
 * Which host the sandbox page plays: Forge, the one new sites install through, unless the page
 * asks for Connect (`?host=connect`) or this server cannot play Forge (then Connect, unless the
 * page asked for Forge by name, which then says why it cannot).
 */
export function hostFromLocation(search: string, forgeAvailable: boolean): SandboxHost {
  const asked = new URLSearchParams(search).get('host');
  if (asked === 'connect' || asked === 'forge') return asked;
  return forgeAvailable ? 'forge' : 'connect';
}

export function forgeSiteOf(state: SandboxState): SandboxForgeSite | null {
  return state.forge && 'appPageUrl' in state.forge ? state.forge : null;
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

/** Creates a user; the app hears of it through the host played: Connect's webhook or Forge's event. */
export const createJiraUser = (displayName: string, email: string | undefined, host: SandboxHost) =>
  call<{ accountId: string }>('POST', '/sandbox/api/users', { displayName, ...(email ? { email } : {}), host });

import { ADMIN, NON_ADMIN, OAUTH, WORKSPACE, linkOrganization, startHarness, type ApiAnswer, type Harness, type HarnessOptions } from './test-app.js';
import { ForgeSimulator, readManifestRoutes, type FitOptions } from './simulators/forge-simulator.js';
import { withClient } from './test-database.js';

export const FORGE_APP_ID = 'ari:cloud:ecosystem::app/6d2f1c7a-4b1e-4f0a-9a55-2f0c3e9b7d10';

export type ForgeHarness = {
  harness: Harness;
  forge: ForgeSimulator;
  /** Calls the admin API as the admin page's invokeRemote does, as `accountId` (the admin by default). */
  api: (
    method: string,
    path: string,
    body?: unknown,
    options?: { accountId?: string; fit?: FitOptions; userToken?: boolean; moduleKey?: string },
  ) => Promise<ApiAnswer>;
  stop: () => Promise<void>;
};

/**
 * The app harness with Forge configured (FORGE_APP_ID, FORGE_JWKS_URL, and FORGE_API_HOSTS naming
 * the simulator, which plays Atlassian's API host) and a Forge site with the harness's two users.
 * Bitbucket and Atlassian Administration are the harness's simulators (`harness.bitbucket`, `harness.admin`).
 */
export async function startForgeHarness(options: HarnessOptions = {}): Promise<ForgeHarness> {
  const forge = new ForgeSimulator({ appId: FORGE_APP_ID, routes: await readManifestRoutes() });
  await forge.start();
  forge.addUser(ADMIN);
  forge.addUser(NON_ADMIN);
  const harness = await startHarness({
    ...options,
    env: { FORGE_APP_ID, FORGE_JWKS_URL: forge.jwksUrl, FORGE_API_HOSTS: forge.url, ...options.env },
  });
  return {
    harness,
    forge,
    api: async (method, path, body, callOptions = {}) =>
      forge.invokeRemote(harness.app.baseUrl, {
        path,
        method,
        body,
        accountId: callOptions.accountId ?? ADMIN.accountId,
        ...(callOptions.fit ? { fit: callOptions.fit } : {}),
        ...(callOptions.userToken ? { userToken: true } : {}),
        ...(callOptions.moduleKey ? { moduleKey: callOptions.moduleKey } : {}),
      }),
    stop: async () => {
      await harness.stop();
      await forge.stop();
    },
  };
}

/** Links the harness's workspace through Forge and selects `groups`; returns the linked account id. */
export async function linkWorkspaceThroughForge(h: ForgeHarness, groups: string[]): Promise<string> {
  const linked = await h.api('POST', '/api/linked-accounts', { workspace: WORKSPACE.slug, credentials: OAUTH });
  if (linked.status !== 201) throw new Error(`link failed: ${linked.status} ${JSON.stringify(linked.body)}`);
  const id = linked.body.linkedAccount.id as string;
  const saved = await h.api('PUT', `/api/linked-accounts/${id}/default-groups`, { groups });
  if (saved.status !== 200) throw new Error(`select failed: ${saved.status} ${JSON.stringify(saved.body)}`);
  return id;
}

/** Links the harness's organization through Forge and chooses the groups with these ids; returns the linked account id. */
export function linkOrganizationThroughForge(h: ForgeHarness, groupIds: string[], key?: { apiKey: string }): Promise<string> {
  return linkOrganization((method, path, body) => h.api(method, path, body), groupIds, key);
}

export type ForgeTenantRow = {
  id: string;
  host_key: string;
  site_url: string;
  cloud_id: string | null;
  forge_installation_id: string | null;
  forge_api_base_url: string | null;
  forge_app_token_sealed: string | null;
  forge_app_token_expires_at: Date | null;
};

export function forgeTenantRows(h: ForgeHarness): Promise<ForgeTenantRow[]> {
  return withClient(h.harness.databaseUrl, async (client) => (await client.query<ForgeTenantRow>("SELECT * FROM tenants WHERE host = 'forge'")).rows);
}

export function countRows(h: ForgeHarness, table: 'new_users' | 'linked_accounts' | 'invitations'): Promise<number> {
  return withClient(h.harness.databaseUrl, async (client) => Number((await client.query(`SELECT count(*) FROM ${table}`)).rows[0].count));
}

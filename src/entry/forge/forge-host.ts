import { Router, type RequestHandler } from 'express';
import type { NewUserDeps } from '../../domain/new-users.js';
import type { Logger } from '../../logger.js';
import type { ForgeTenantRepository } from '../../persistence/forge-tenant-repository.js';
import { REQUEST_NOT_AUTHENTICATED } from '../api/host-authentication.js';
import { forgeApiAuthentication, forgeAuthentication } from './forge-authentication.js';
import { ForgeInvocationTokenVerifier } from './forge-invocation-token.js';
import { ForgeTenantDirectory } from './forge-tenant-directory.js';
import { lifecycleEvent } from './lifecycle-event.js';
import { userCreatedEvent } from './user-created-event.js';
import { userDeletedEvent } from './user-deleted-event.js';
import type { OffboardingStore } from '../../domain/offboarding-stores.js';

/**
 * The manifest's module keys, per route (test/forge/manifest.test.ts holds manifest.yml to them).
 * Forge's docs say a token's `app.module.key` is "the Forge module key for this endpoint": for a
 * UI call the UI module's key (their example token shows the macro's key), for an event the type
 * is `core:endpoint` and the key is UNCERTAIN, the endpoint's key or its trigger's. Both readings
 * are accepted; the sets stay disjoint, so a token of one route never opens another.
 */
export const FORGE_MODULES = {
  userCreated: { trigger: 'user-created', endpoint: 'user-created-event' },
  userDeleted: { trigger: 'user-deleted', endpoint: 'user-deleted-event' },
  installed: { trigger: 'app-installed', endpoint: 'installed-event' },
  adminPage: { pages: ['automatic-team-invitations-admin', 'automatic-team-invitations-configure'], endpoint: 'admin-api' },
} as const;

export type ForgeHost = {
  /** The event endpoints the manifest's triggers post to. */
  events: (deps: Pick<NewUserDeps, 'newUsers'> & { offboarding: Pick<OffboardingStore, 'recordDeparture'> }) => Router;
  /** Authentication of the admin API's Forge calls (FIT as Bearer, `principal` as the actor). */
  apiAuthentication: RequestHandler;
};

/** The Forge adapter: one verifier (one cached key set) and one tenant directory for every route. */
export function createForgeHost(options: {
  appId: string;
  jwksUrl: string | undefined;
  apiOrigins: readonly string[];
  tenants: ForgeTenantRepository;
  log: Logger;
}): ForgeHost {
  const { log } = options;
  const verifier = new ForgeInvocationTokenVerifier({ appId: options.appId, jwksUrl: options.jwksUrl, apiOrigins: options.apiOrigins });
  const directory = new ForgeTenantDirectory(options.tenants, log);
  const event = (module: { trigger: string; endpoint: string }) =>
    forgeAuthentication(verifier, directory, { modules: [module.trigger, module.endpoint], refusal: REQUEST_NOT_AUTHENTICATED });
  return {
    events: (deps) => {
      const router = Router();
      router.use(lifecycleEvent(event(FORGE_MODULES.installed)));
      router.use(userCreatedEvent(event(FORGE_MODULES.userCreated), deps));
      router.use(userDeletedEvent(event(FORGE_MODULES.userDeleted), deps));
      return router;
    },
    apiAuthentication: forgeApiAuthentication(verifier, directory, [...FORGE_MODULES.adminPage.pages, FORGE_MODULES.adminPage.endpoint]),
  };
}

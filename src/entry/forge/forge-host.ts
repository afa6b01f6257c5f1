import { Router, type RequestHandler } from 'express';
import type { NewUserDeps } from '../../domain/new-users.js';
import type { Logger } from '../../logger.js';
import type { ForgeTenantRepository } from '../../persistence/forge-tenant-repository.js';
import { forgeApiAuthentication, forgeAuthentication } from './forge-authentication.js';
import { ForgeInvocationTokenVerifier } from './forge-invocation-token.js';
import { ForgeTenantDirectory } from './forge-tenant-directory.js';
import { lifecycleEvent } from './lifecycle-event.js';
import { userCreatedEvent } from './user-created-event.js';

export type ForgeHost = {
  /** The event endpoints the manifest's triggers post to. */
  events: (deps: Pick<NewUserDeps, 'newUsers'>) => Router;
  /** Authentication of the admin API's Forge calls (FIT as Bearer, `principal` as the actor). */
  apiAuthentication: RequestHandler;
};

/** The Forge adapter: one verifier (one cached key set) and one tenant directory for every route. */
export function createForgeHost(options: { appId: string; jwksUrl: string | undefined; tenants: ForgeTenantRepository; log: Logger }): ForgeHost {
  const verifier = new ForgeInvocationTokenVerifier({ appId: options.appId, jwksUrl: options.jwksUrl });
  const directory = new ForgeTenantDirectory(options.tenants, options.log);
  const authenticate = forgeAuthentication(verifier, directory);
  return {
    events: (deps) => {
      const router = Router();
      router.use(lifecycleEvent(authenticate, options.log));
      router.use(userCreatedEvent(authenticate, deps, options.log));
      return router;
    },
    apiAuthentication: forgeApiAuthentication(verifier, directory),
  };
}

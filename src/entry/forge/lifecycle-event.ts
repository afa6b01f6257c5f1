import { Router, type RequestHandler } from 'express';
import { forgeContext } from './forge-authentication.js';

/** The manifest's `installed-event` endpoint routes here (route.path). */
export const FORGE_INSTALLED_PATH = '/forge/events/installed';

/**
 * avi:forge:installed:app. The authentication has already created the site's tenant from the
 * token (or handed a reinstalled site its existing tenant) and stored the app token, so all that
 * is left is to say so. There is no uninstall event on Forge: a tenant stays until removed by hand.
 */
export function lifecycleEvent(authenticate: RequestHandler): Router {
  const router = Router();
  router.post(FORGE_INSTALLED_PATH, authenticate, (req, res) => {
    const { invocation, tenant } = forgeContext(res);
    const body = (req.body ?? {}) as { payload?: { installerAccountId?: unknown }; installerAccountId?: unknown };
    const installer = body.payload?.installerAccountId ?? body.installerAccountId;
    req.log.info(
      {
        tenantId: tenant.id,
        cloudId: tenant.cloudId,
        installationId: invocation.app.installationId,
        appVersion: invocation.app.appVersion ?? null,
        installerAccountId: typeof installer === 'string' ? installer : null,
      },
      'installed through Forge',
    );
    res.status(200).json({ installed: true });
  });
  return router;
}

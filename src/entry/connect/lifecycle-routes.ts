import { Router } from 'express';
import type { TenantRepository } from '../../persistence/tenant-repository.js';
import type { ConnectAddon } from './connect-addon.js';
import { forgetClientInfo } from './client-info-cache.js';
import { asAuthentication, connectContext } from './connect-request.js';
import { asyncRoute } from '../api/async-route.js';

/** installed / uninstalled / enabled / disabled, each verified as ACE does (RS256 signed installs). */
export function lifecycleRoutes(addon: ConnectAddon, tenants: TenantRepository): Router {
  const router = Router();

  router.post(
    '/installed',
    asAuthentication(addon.verifyInstallation()),
    asyncRoute(async (req, res, next) => {
      try {
        const { clientKey, baseUrl, cloudId } = req.body as { clientKey: string; baseUrl: string; cloudId?: string };
        await tenants.upsertConnect(clientKey, baseUrl, cloudId ?? null);
        forgetClientInfo(addon, clientKey);
        req.log.info({ clientKey, siteUrl: baseUrl }, 'installed through Connect');
        addon.postInstallation()(req, res);
      } catch (error) {
        next(error);
      }
    }),
  );

  // Uninstalled and disabled can arrive together; deleting twice is harmless.
  router.post(
    '/uninstalled',
    asAuthentication(addon.authenticateInstall()),
    asyncRoute(async (req, res, next) => {
      try {
        const { clientKey } = connectContext(req);
        // ACE's record first: from then on no request of the site authenticates, so none can
        // re-create the tenant (see tenant-directory.ts) after its rows are gone.
        await addon.settings.del('clientInfo', clientKey);
        forgetClientInfo(addon, clientKey);
        await tenants.delete('connect', clientKey);
        req.log.info({ clientKey }, 'uninstalled through Connect: tenant data removed');
        res.status(204).end();
      } catch (error) {
        next(error);
      }
    }),
  );

  for (const event of ['enabled', 'disabled'] as const) {
    router.post(`/${event}`, asAuthentication(addon.authenticateInstall()), (req, res) => {
      req.log.info({ clientKey: connectContext(req).clientKey }, `${event} through Connect`);
      res.status(204).end();
    });
  }

  return router;
}

import { Router } from 'express';
import { siteStatus, type SiteStatusDeps } from '../../domain/site-status.js';
import { actorOf } from './actor.js';
import { asyncRoute } from './async-route.js';

/** GET /api/site-status: whether Jira still sends the site's events (docs/admin-api.md). */
export function siteStatusRoutes(deps: SiteStatusDeps): Router {
  const router = Router();
  router.get(
    '/site-status',
    asyncRoute(async (_req, res) => {
      const status = await siteStatus(deps, actorOf(res).tenantId);
      res.json({
        lastEvent: { connect: status.lastEvent.connect?.toISOString() ?? null, forge: status.lastEvent.forge?.toISOString() ?? null },
        warning: status.warning,
      });
    }),
  );
  return router;
}

import { Router } from 'express';
import { attentionOf, type AttentionDeps } from '../../domain/attention.js';
import { siteStatus, type SiteStatusDeps } from '../../domain/site-status.js';
import { actorOf } from './actor.js';
import { asyncRoute } from './async-route.js';

/** GET /api/site-status: whether Jira still sends the site's events, and what needs the admin's attention (docs/admin-api.md). */
export function siteStatusRoutes(deps: SiteStatusDeps & AttentionDeps): Router {
  const router = Router();
  router.get(
    '/site-status',
    asyncRoute(async (_req, res) => {
      const tenantId = actorOf(res).tenantId;
      const [status, attention] = await Promise.all([siteStatus(deps, tenantId), attentionOf(deps, tenantId)]);
      res.json({
        lastEvent: { connect: status.lastEvent.connect?.toISOString() ?? null, forge: status.lastEvent.forge?.toISOString() ?? null },
        warning: status.warning,
        attention,
      });
    }),
  );
  return router;
}

import { Router } from 'express';
import { retryAllFailed, type RetryAllDeps } from '../../domain/retry-all.js';
import { actorOf } from './actor.js';
import { asyncRoute } from './async-route.js';
import { retryFailedBody } from './backfill-schemas.js';

/** POST /api/invitations/retry-failed: "Retry all failed" for the list's current filter, with the count the admin confirmed. */
export function retryAllRoutes(deps: RetryAllDeps): Router {
  const router = Router();
  router.post(
    '/invitations/retry-failed',
    asyncRoute(async (req, res) => {
      const body = retryFailedBody.parse(req.body);
      const filter = { ...(body.linkedAccountId ? { linkedAccountId: body.linkedAccountId } : {}), ...(body.search ? { search: body.search } : {}) };
      res.json(await retryAllFailed(deps, actorOf(res), filter, body.count));
    }),
  );
  return router;
}

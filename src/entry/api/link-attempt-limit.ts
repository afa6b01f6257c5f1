import { Router, type RequestHandler } from 'express';
import type { RateBudget } from '../../domain/rate-budget.js';
import { actorOf } from './actor.js';
import { asyncRoute } from './async-route.js';
import { sendError } from './http-errors.js';

/**
 * Each attempt to link an account, replace its credentials or look up the organizations of an API
 * key calls Bitbucket or Atlassian Administration with credentials nobody has checked yet. A site
 * may make `perMinute` of them (a burst of that many, then one every 60 / perMinute seconds),
 * counted across every instance, so no site can turn the app into a tool for guessing keys or
 * tokens, or for spending a target's budget.
 */
export function linkAttemptLimit(budget: RateBudget, perMinute: number): Router {
  const rule = { burst: perMinute, ratePerSecond: perMinute / 60 };
  const limit: RequestHandler = asyncRoute(async (_req, res, next) => {
    const result = await budget.tryAcquire([{ bucket: `link-attempts:${actorOf(res).tenantId}`, rule }]);
    if (result.granted) return next();
    const seconds = Math.max(1, Math.ceil(result.waitMs / 1000));
    res.setHeader('Retry-After', String(seconds));
    sendError(
      res,
      429,
      `This site has made ${perMinute} attempts to link an account, look up organizations or change credentials within a minute. Try again in ${seconds} ${seconds === 1 ? 'second' : 'seconds'}.`,
    );
  });
  const router = Router();
  router.post('/linked-accounts', limit);
  router.put('/linked-accounts/:id/credentials', limit);
  router.post('/organizations/discover', limit);
  return router;
}

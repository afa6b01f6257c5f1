import type { RequestHandler } from 'express';
import type { JiraGatewayFactory } from '../../domain/ports.js';
import { actorOf } from './actor.js';
import { HttpError } from './http-errors.js';
import { asyncRoute } from './async-route.js';

/**
 * Host conditions (user_is_admin) run in the browser and prove nothing: the server asks Jira,
 * as the app, whether the acting user administers the site. Answers are kept briefly so a page
 * load's burst of calls costs one check.
 */
export function requireAdministrator(jira: JiraGatewayFactory, cacheSeconds: number): RequestHandler {
  const cache = new Map<string, { admin: boolean; until: number }>();
  return asyncRoute(async (_req, res, next) => {
    try {
      const actor = actorOf(res);
      const key = `${actor.tenantId}:${actor.accountId}`;
      const now = Date.now();
      let entry = cache.get(key);
      if (!entry || entry.until < now) {
        const admin = await (await jira.forTenant(actor.tenantId)).isAdministrator(actor.accountId);
        entry = { admin, until: now + cacheSeconds * 1000 };
        if (cache.size > 10_000) cache.clear();
        cache.set(key, entry);
      }
      if (!entry.admin) throw new HttpError(403, 'Only Jira administrators can manage automatic team invitations.');
      next();
    } catch (error) {
      next(error);
    }
  });
}

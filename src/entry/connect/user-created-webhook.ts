import { Router } from 'express';
import { z } from 'zod';
import { receiveNewUser, type NewUserDeps } from '../../domain/new-users.js';
import { fieldErrorsOf, sendError } from '../api/http-errors.js';
import { jiraUserSchema, toNewUser } from '../jira-user.js';
import type { ConnectAddon } from './connect-addon.js';
import { asAuthentication, connectContext, stillInstalled, UNINSTALLED_MESSAGE } from './connect-request.js';
import type { ConnectTenantDirectory } from './tenant-directory.js';

export const USER_CREATED_PATH = '/webhooks/user-created';

const userCreatedBody = z.object({
  webhookEvent: z.string().optional(),
  timestamp: z.number().optional(),
  user: jiraUserSchema,
});

/**
 * Jira's user_created webhook. Answer fast: authenticate, record (which also enqueues), 204.
 * A retry (same X-Atlassian-Webhook-Identifier) or a repeated user records nothing new.
 */
export function userCreatedWebhook(addon: ConnectAddon, directory: ConnectTenantDirectory, deps: Pick<NewUserDeps, 'newUsers'>): Router {
  const router = Router();
  router.post(USER_CREATED_PATH, asAuthentication(addon.authenticate()), async (req, res, next) => {
    try {
      const parsed = userCreatedBody.safeParse(req.body);
      if (!parsed.success) return sendError(res, 400, 'The user_created event is not valid.', fieldErrorsOf(parsed.error));
      const context = connectContext(req);
      const { user } = parsed.data;
      const newUser = toNewUser(user);
      const eventId = req.header('x-atlassian-webhook-identifier') ?? null;
      // The fast path names the site by its clientKey; only a site without a tenant row yet
      // (an install older than the tenants table, or one being uninstalled) takes the slow one.
      const outcome = await receiveNewUser(deps, { host: 'connect', hostKey: context.clientKey }, newUser, eventId);
      if (outcome === 'unknown-site') {
        const tenant = await directory.byClientKey(context.clientKey, context.hostBaseUrl, stillInstalled(addon, context.clientKey));
        if (!tenant) return sendError(res, 401, UNINSTALLED_MESSAGE);
        await receiveNewUser(deps, { tenantId: tenant.id }, newUser, eventId);
      }
      res.status(204).end();
    } catch (error) {
      next(error);
    }
  });
  return router;
}

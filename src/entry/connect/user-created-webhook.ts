import { Router } from 'express';
import { z } from 'zod';
import type { NewUserDeps } from '../../domain/new-users.js';
import { sendError, sendInvalid } from '../api/http-errors.js';
import { noteEvent } from '../ops/event-metrics.js';
import { jiraUserSchema, toNewUser } from '../jira-user.js';
import { storableText } from '../storable-text.js';
import type { ConnectAddon } from './connect-addon.js';
import { asAuthentication, connectContext, requireShortLivedToken, stillInstalled, UNINSTALLED_MESSAGE } from './connect-request.js';
import type { ConnectTenantDirectory } from './tenant-directory.js';
import { asyncRoute } from '../api/async-route.js';

export const USER_CREATED_PATH = '/webhooks/user-created';

const userCreatedBody = z.object(
  {
    webhookEvent: storableText('The event name (webhookEvent)').optional(),
    timestamp: z.number({ error: 'The event time (timestamp) must be a number.' }).optional(),
    user: jiraUserSchema,
  },
  { error: 'The user_created event must be a JSON object.' },
);

/**
 * Jira's user_created webhook. Answer fast: authenticate, record (which also enqueues), 204.
 * A retry (same X-Atlassian-Webhook-Identifier) or a repeated user records nothing new.
 */
export function userCreatedWebhook(addon: ConnectAddon, directory: ConnectTenantDirectory, deps: Pick<NewUserDeps, 'newUsers'>): Router {
  const router = Router();
  router.post(
    USER_CREATED_PATH,
    asAuthentication(addon.authenticate()),
    requireShortLivedToken(),
    asyncRoute(async (req, res, next) => {
      try {
        const parsed = userCreatedBody.safeParse(req.body);
        if (!parsed.success) return sendInvalid(res, parsed.error, 'The user_created event is not valid.');
        const context = connectContext(req);
        const { user } = parsed.data;
        const newUser = toNewUser(user);
        const eventId = req.header('x-atlassian-webhook-identifier') ?? null;
        // The fast path names the site by its clientKey; only a site without a tenant row yet
        // (an install older than the tenants table, or one being uninstalled) takes the slow one.
        let recording = await deps.newUsers.record({ host: 'connect', hostKey: context.clientKey }, newUser, eventId);
        if (recording.outcome === 'unknown-site') {
          const tenant = await directory.byClientKey(context.clientKey, context.hostBaseUrl, stillInstalled(addon, context.clientKey));
          if (!tenant) return sendError(res, 401, UNINSTALLED_MESSAGE);
          recording = await deps.newUsers.record({ tenantId: tenant.id }, newUser, eventId);
        }
        noteEvent(res, recording, eventId);
        res.status(204).end();
      } catch (error) {
        next(error);
      }
    }),
  );
  return router;
}

import { Router } from 'express';
import { z } from 'zod';
import type { OffboardingStore } from '../../domain/offboarding-stores.js';
import { asyncRoute } from '../api/async-route.js';
import { sendError, sendInvalid } from '../api/http-errors.js';
import { jiraUserSchema } from '../jira-user.js';
import { storableText } from '../storable-text.js';
import type { ConnectAddon } from './connect-addon.js';
import { asAuthentication, connectContext, requireShortLivedToken, stillInstalled, UNINSTALLED_MESSAGE } from './connect-request.js';
import type { ConnectTenantDirectory } from './tenant-directory.js';

export const USER_DELETED_PATH = '/webhooks/user-deleted';

const userDeletedBody = z.object(
  {
    webhookEvent: storableText('The event name (webhookEvent)').optional(),
    timestamp: z.number({ error: 'The event time (timestamp) must be a number.' }).optional(),
    user: jiraUserSchema,
  },
  { error: 'The user_deleted event must be a JSON object.' },
);

/**
 * Jira's user_deleted webhook, authenticated like user_created. It records the departure (once per
 * user while it is open: a retry or a repeat records nothing) with the job that plans its removals,
 * then answers 204; whether anything is removed is the linked accounts' setting, decided later.
 */
export function userDeletedWebhook(
  addon: ConnectAddon,
  directory: ConnectTenantDirectory,
  deps: { offboarding: Pick<OffboardingStore, 'recordDeparture'> },
): Router {
  const router = Router();
  router.post(
    USER_DELETED_PATH,
    asAuthentication(addon.authenticate()),
    requireShortLivedToken(),
    asyncRoute(async (req, res) => {
      const parsed = userDeletedBody.safeParse(req.body);
      if (!parsed.success) return sendInvalid(res, parsed.error, 'The user_deleted event is not valid.');
      const context = connectContext(req);
      const tenant = await directory.byClientKey(context.clientKey, context.hostBaseUrl, stillInstalled(addon, context.clientKey));
      if (!tenant) return sendError(res, 401, UNINSTALLED_MESSAGE);
      const { user } = parsed.data;
      const eventId = req.header('x-atlassian-webhook-identifier') ?? null;
      const outcome = await deps.offboarding.recordDeparture(
        tenant.id,
        { accountId: user.accountId, displayName: user.displayName ?? null },
        'deleted',
        {
          eventId,
        },
      );
      req.log.info({ tenantId: tenant.id, eventId, outcome }, 'user_deleted event');
      res.status(204).end();
    }),
  );
  return router;
}

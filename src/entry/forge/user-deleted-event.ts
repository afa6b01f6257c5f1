import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { OffboardingStore } from '../../domain/offboarding-stores.js';
import { asyncRoute } from '../api/async-route.js';
import { sendError, sendInvalid } from '../api/http-errors.js';
import { jiraUserSchema } from '../jira-user.js';
import { storableText } from '../storable-text.js';
import { forgeContext } from './forge-authentication.js';

/** The manifest's `user-deleted-event` endpoint routes here (route.path). */
export const FORGE_USER_DELETED_PATH = '/forge/events/user-deleted';
const EVENT_TYPE = 'avi:jira:deleted:user';

const userDeletedBody = z.object(
  { eventType: storableText('The event type (eventType)').optional(), user: jiraUserSchema },
  { error: 'The user-deleted event must be a JSON object.' },
);

/**
 * Forge's avi:jira:deleted:user trigger, handled like avi:jira:created:user: the event bare or
 * wrapped in `payload` (CONTRACTS §3), the departure recorded once whatever Forge retries.
 */
export function userDeletedEvent(authenticate: RequestHandler, deps: { offboarding: Pick<OffboardingStore, 'recordDeparture'> }): Router {
  const router = Router();
  router.post(
    FORGE_USER_DELETED_PATH,
    authenticate,
    asyncRoute(async (req, res) => {
      const outer = (req.body ?? {}) as { payload?: unknown };
      const body = typeof outer.payload === 'object' && outer.payload !== null ? outer.payload : outer;
      const parsed = userDeletedBody.safeParse(body);
      if (!parsed.success) return sendInvalid(res, parsed.error, 'The user-deleted event is not valid.');
      const { eventType, user } = parsed.data;
      if (eventType !== undefined && eventType !== EVENT_TYPE)
        return sendError(res, 400, `This endpoint takes ${EVENT_TYPE} events, not ${eventType}.`);
      const { invocation, tenant } = forgeContext(res);
      const outcome = await deps.offboarding.recordDeparture(
        tenant.id,
        { accountId: user.accountId, displayName: user.displayName ?? null },
        'deleted',
        {
          eventId: invocation.jti ?? null,
        },
      );
      res.status(200).json({ recorded: outcome === 'recorded' });
    }),
  );
  return router;
}

import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { NewUserDeps } from '../../domain/new-users.js';
import { sendError, sendInvalid } from '../api/http-errors.js';
import { noteEvent } from '../ops/event-metrics.js';
import { jiraUserSchema, toNewUser } from '../jira-user.js';
import { storableText } from '../storable-text.js';
import { forgeContext } from './forge-authentication.js';
import { asyncRoute } from '../api/async-route.js';

/** The manifest's `user-created-event` endpoint routes here (route.path). */
export const FORGE_USER_CREATED_PATH = '/forge/events/user-created';
const EVENT_TYPE = 'avi:jira:created:user';

const retryContext = z
  .object({ retryCount: z.number().int().min(0).optional(), retryReason: z.string().nullish() })
  .nullish()
  .catch(null);

const userCreatedBody = z.object(
  {
    eventType: storableText('The event type (eventType)').optional(),
    user: jiraUserSchema,
    retryContext,
  },
  { error: 'The user-created event must be a JSON object.' },
);

/**
 * Forge's avi:jira:created:user trigger, delivered to the remote. Forge gives up after 5 s and
 * retries (with `retryContext`) on anything but 2xx, so this only records the user, which also
 * enqueues the planning job; the domain records a user once per site, so retries invite nobody
 * twice. Forge's docs show the event both bare and wrapped in `payload`: both are accepted.
 */
export function userCreatedEvent(authenticate: RequestHandler, deps: Pick<NewUserDeps, 'newUsers'>): Router {
  const router = Router();
  router.post(
    FORGE_USER_CREATED_PATH,
    authenticate,
    asyncRoute(async (req, res, next) => {
      try {
        const outer = (req.body ?? {}) as { payload?: unknown; retryContext?: unknown };
        const body = typeof outer.payload === 'object' && outer.payload !== null ? outer.payload : outer;
        const parsed = userCreatedBody.safeParse(body);
        if (!parsed.success) return sendInvalid(res, parsed.error, 'The user-created event is not valid.');
        const { eventType, user } = parsed.data;
        if (eventType !== undefined && eventType !== EVENT_TYPE) {
          return sendError(res, 400, `This endpoint takes ${EVENT_TYPE} events, not ${eventType}.`);
        }

        const { invocation, tenant } = forgeContext(res);
        const retry = parsed.data.retryContext ?? retryContext.parse(outer.retryContext);
        // Forge sends no event id that survives retries; the invocation's id is kept for tracing.
        const eventId = invocation.jti ?? null;
        const recording = await deps.newUsers.record({ tenantId: tenant.id }, toNewUser(user), eventId);
        noteEvent(res, recording, eventId);
        const recorded = recording.outcome === 'recorded';
        if (retry?.retryCount) {
          req.log.info(
            { tenantId: tenant.id, retryCount: retry.retryCount, retryReason: retry.retryReason ?? null, recorded },
            'Forge redelivered a user-created event',
          );
        }
        // JSON, not an empty 204: Forge's remote contract speaks of JSON answers.
        res.status(200).json({ recorded });
      } catch (error) {
        next(error);
      }
    }),
  );
  return router;
}

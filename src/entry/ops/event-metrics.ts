import type { RequestHandler, Response } from 'express';
import type { Recording } from '../../domain/stores.js';
import type { AppMetrics, EventHost } from '../../observability/metrics.js';
import { addToRequestLog } from './request-log.js';

type EventNote = { outcome: 'recorded' | 'duplicate'; tenantId: string | null };

/**
 * What the event route did with Jira's event: the request's log line names the event, the new
 * user and the outcome, and the event counter (countEvents) counts it.
 */
export function noteEvent(res: Response, recording: Recording, eventId: string | null): void {
  addToRequestLog(res, { eventId, newUserId: recording.newUserId, tenantId: recording.tenantId, outcome: recording.outcome });
  if (recording.outcome !== 'unknown-site') res.locals.event = { outcome: recording.outcome, tenantId: recording.tenantId } satisfies EventNote;
}

/**
 * Counts each request to an event route once it is answered: as its noted outcome (recorded,
 * duplicate) when it succeeded, as refused when it was answered 4xx or 5xx (a bad token, a bad
 * body, an uninstalled site, the database away), which Jira retries or gives up on.
 */
export function countEvents(metrics: AppMetrics, host: EventHost): RequestHandler {
  return (_req, res, next) => {
    res.once('finish', () => {
      const note = res.locals.event as EventNote | undefined;
      if (res.statusCode >= 400) metrics.eventReceived(host, 'refused', null);
      else if (note) metrics.eventReceived(host, note.outcome, note.tenantId);
    });
    next();
  };
}

import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from '../../logger.js';
import type { AppMetrics } from '../../observability/metrics.js';

declare module 'http' {
  interface IncomingMessage {
    /** This request's id: the caller's X-Request-Id when it looks sane, else a new one. */
    id: string;
    /** This request's logger: its lines carry the request id (`reqId`). Set by observeRequests, the first middleware. */
    log: Logger;
  }
}

/** An id a caller (a proxy, a load balancer) may hand us: short, and nothing a log reader could mistake for structure. */
const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** Probes and scrapes come every few seconds and say nothing about users: no line for them. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** The path without its query: Connect page URLs carry a signed token (`?jwt=`), which must never reach a log. */
const pathOf = (req: Request) => req.originalUrl.split('?', 1)[0]!;

/** The route pattern a request matched (`/api/invitations/:id/retry`), or `other`: a label of bounded variety. */
function routeOf(req: Request): string {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  return typeof pattern === 'string' ? `${req.baseUrl}${pattern}` : 'other';
}

/** Adds fields to the request's line (the event routes: the event, the new user, what became of them). */
export function addToRequestLog(res: Response, fields: Record<string, unknown>): void {
  res.locals.logFields = { ...(res.locals.logFields as Record<string, unknown> | undefined), ...fields };
}

/**
 * The first middleware. Every request gets an id (the caller's `X-Request-Id` when it looks sane,
 * else a new one), answered in `X-Request-Id`, and a pino child of its own, `req.log`, whose every
 * line carries it as `reqId`; when the answer is sent, one line says what the request was and how
 * it went. With `requestLog` off (the benchmark's comparison) the id is still answered, no line is
 * written, and `req.log` is the app's logger. With metrics, each request is timed by route pattern.
 *
 * Written here rather than with pino-http, measured: pino-http makes two child loggers per request
 * and writes its line through the redacting logger, which together cost about as much as the 5 %
 * of ingest throughput this may take. This line holds fixed fields only (never a header, a body or
 * a query), so it skips the redaction pass; `req.log` keeps it, for whatever a handler logs.
 */
export function observeRequests(options: { log: Logger; requestLog: boolean; metrics: AppMetrics | null }): RequestHandler {
  const { log, metrics } = options;
  const lineLog = options.requestLog ? log.child({}, { redact: [] }) : null;
  return (req, res, next) => {
    const given = req.header('x-request-id');
    const id = given !== undefined && ACCEPTED_REQUEST_ID.test(given) ? given : randomUUID();
    req.id = id;
    req.log = lineLog ? log.child({ reqId: id }) : log;
    res.setHeader('X-Request-Id', id);
    if (!lineLog && !metrics) return next();
    const started = performance.now();
    // 'close' comes when the answer is sent, and also when the caller went away before it was.
    res.once('close', () => {
      const seconds = (performance.now() - started) / 1000;
      metrics?.httpRequest(req.method, routeOf(req), res.statusCode, seconds);
      if (!lineLog) return;
      const path = pathOf(req);
      if (QUIET_PATHS.has(path)) return;
      const line = {
        reqId: id,
        method: req.method,
        path,
        status: res.statusCode,
        ms: Math.round(seconds * 1000),
        ...(res.writableFinished ? {} : { aborted: true }),
        ...(res.locals.logFields as Record<string, unknown> | undefined),
      };
      if (res.statusCode >= 500) lineLog.error(line, `${req.method} ${path}`);
      else lineLog.info(line, `${req.method} ${path}`);
    });
    next();
  };
}

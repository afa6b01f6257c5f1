import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../../logger.js';
import type { AppMetrics } from '../../observability/metrics.js';

/** An id a caller (a proxy, a load balancer) may hand us: short, and nothing a log reader could mistake for structure. */
const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** Probes and scrapes come every few seconds and say nothing about users: no line for them. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** The path without its query: Connect page URLs carry a signed token (`?jwt=`), which must never reach a log. */
const pathOf = (req: IncomingMessage) => ((req as Partial<Request>).originalUrl ?? req.url ?? '').split('?', 1)[0]!;

/** The route pattern a request matched (`/api/invitations/:id/retry`), or `other`: a label of bounded variety. */
function routeOf(req: Request): string {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  return typeof pattern === 'string' ? `${req.baseUrl}${pattern}` : 'other';
}

/** Adds fields to the request's log line (the event route: the event, the new user, what became of them). */
export function addToRequestLog(res: Response, fields: Record<string, unknown>): void {
  res.locals.logFields = { ...(res.locals.logFields as Record<string, unknown> | undefined), ...fields };
}

/**
 * The first middleware: every request gets an id (the caller's `X-Request-Id` when it looks sane,
 * else a new one), answered in `X-Request-Id`, and a logger of its own (`req.log`) whose every line
 * carries it as `reqId`; when it ends, one line says what it was and how it went. With
 * `requestLog` off (a benchmark's comparison) the id is still answered, and `req.log` is the app's
 * logger. With metrics, every request is timed by route pattern.
 */
export function observeRequests(options: { log: Logger; requestLog: boolean; metrics: AppMetrics | null }): RequestHandler {
  const { log, metrics } = options;
  const logged = options.requestLog
    ? pinoHttp({
        logger: log,
        genReqId: (req: IncomingMessage, res: ServerResponse) => {
          const given = req.headers['x-request-id'];
          const id = typeof given === 'string' && ACCEPTED_REQUEST_ID.test(given) ? given : randomUUID();
          res.setHeader('X-Request-Id', id);
          return id;
        },
        quietReqLogger: true,
        customAttributeKeys: { responseTime: 'ms' },
        serializers: {
          req: (req: IncomingMessage) => ({ method: req.method, path: pathOf(req) }),
          res: (res: ServerResponse) => ({ status: res.statusCode }),
        },
        wrapSerializers: false,
        autoLogging: { ignore: (req) => QUIET_PATHS.has(pathOf(req)) },
        customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
        customSuccessMessage: (req) => `${req.method} ${pathOf(req)}`,
        customErrorMessage: (req) => `${req.method} ${pathOf(req)} failed`,
        customSuccessObject: (_req, res, line: Record<string, unknown>) => ({
          ...line,
          ...((res as Response).locals?.logFields as Record<string, unknown> | undefined),
        }),
      })
    : null;
  return (req, res, next) => {
    if (metrics) {
      const started = performance.now();
      res.once('finish', () => metrics.httpRequest(req.method, routeOf(req), res.statusCode, (performance.now() - started) / 1000));
    }
    if (logged) return logged(req, res, next);
    const given = req.header('x-request-id');
    req.id = given !== undefined && ACCEPTED_REQUEST_ID.test(given) ? given : randomUUID();
    req.log = log;
    res.setHeader('X-Request-Id', String(req.id));
    next();
  };
}

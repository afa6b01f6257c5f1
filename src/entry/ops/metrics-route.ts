import { createHash, timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import type { PrometheusMetrics } from '../../observability/metrics.js';
import { asyncRoute } from '../api/async-route.js';
import { sendError } from '../api/http-errors.js';

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * GET /metrics in Prometheus's text format. With a token, only a scraper that sends it as
 * `Authorization: Bearer <token>` gets an answer (compared in constant time).
 */
export function metricsRoute(metrics: PrometheusMetrics, token: string | undefined): Router {
  const expected = token === undefined ? null : digest(token);
  const router = Router();
  router.get(
    '/metrics',
    asyncRoute(async (req, res) => {
      if (expected) {
        const [scheme, given, ...rest] = (req.header('authorization') ?? '').trim().split(/\s+/);
        if (scheme !== 'Bearer' || !given || rest.length > 0 || !timingSafeEqual(digest(given), expected)) {
          res.setHeader('WWW-Authenticate', 'Bearer');
          return sendError(res, 401, 'The metrics need the metrics token, sent as "Authorization: Bearer <token>".');
        }
      }
      const text = await metrics.text();
      res.setHeader('Content-Type', metrics.contentType);
      res.send(text);
    }),
  );
  return router;
}

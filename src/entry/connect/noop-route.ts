import { Router } from 'express';
import type { ConnectAddon } from './connect-addon.js';
import { asAuthentication } from './connect-request.js';

export const NOOP_PATH = '/bench/noop';

/**
 * An ACE-authenticated route that does nothing: the benchmark's yardstick for what the webhook
 * costs beyond authentication. Mounted only when BENCH_NOOP_ROUTE=on, never in production.
 */
export function noopRoute(addon: ConnectAddon): Router {
  const router = Router();
  router.post(NOOP_PATH, asAuthentication(addon.authenticate()), (_req, res) => {
    res.status(204).end();
  });
  return router;
}

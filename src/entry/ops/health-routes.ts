import { Router } from 'express';
import type { Logger } from '../../logger.js';
import { asyncRoute } from '../api/async-route.js';

/** A part the app needs to serve: resolves when it works; rejects (with the detail for the log) when not. */
export type ReadinessCheck = {
  name: string;
  /** What the 503 says when this part fails, e.g. "the database does not answer". */
  failure: string;
  check: () => Promise<void>;
  /** A check that cannot pass while another part fails (the migrations need the database) waits for that one. */
  after?: string;
};

/** A check that takes this long counts as failed: a load balancer must not wait on a hung database. */
const CHECK_TIMEOUT_MS = 3_000;

function withTimeout(work: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * /healthz: the process is up (liveness; nothing else is checked, so a database outage never gets
 * the app restarted). /readyz: every part it needs answers (readiness, for load balancers): 200, or
 * 503 naming the parts that fail. Concurrent probes share one round of checks; a change of the
 * answer is logged once, with the reasons.
 */
export function healthRoutes(checks: ReadinessCheck[], log: Logger): Router {
  let running: Promise<Map<string, string | null>> | null = null;
  let lastFailing = '';
  const runChecks = async () => {
    const results = new Map<string, string | null>();
    const run = async (c: ReadinessCheck) => {
      try {
        await withTimeout(c.check());
        results.set(c.name, null);
      } catch (error) {
        results.set(c.name, error instanceof Error ? error.message : String(error));
      }
    };
    await Promise.all(checks.filter((c) => !c.after).map(run));
    for (const c of checks.filter((c) => c.after)) {
      if (results.get(c.after!) === null) await run(c);
      else results.set(c.name, `not checked: ${c.after} failed`);
    }
    return results;
  };

  const router = Router();
  router.get('/healthz', (_req, res) => res.json({ status: 'ok' }));
  router.get(
    '/readyz',
    asyncRoute(async (_req, res) => {
      running ??= runChecks().finally(() => (running = null));
      const results = await running;
      const failing = checks.filter((c) => results.get(c.name) !== null);
      const states = Object.fromEntries(checks.map((c) => [c.name, results.get(c.name) === null ? 'ok' : 'failing']));
      const signature = failing.map((c) => c.name).join(',');
      if (signature !== lastFailing) {
        lastFailing = signature;
        if (failing.length > 0) log.warn({ failing: Object.fromEntries(failing.map((c) => [c.name, results.get(c.name)])) }, 'not ready');
        else log.info('ready again');
      }
      if (failing.length === 0) return res.json({ status: 'ready', checks: states });
      // The reasons stay in the log: this route is public, and a driver's words can name hosts.
      const shown = failing.filter((c) => !c.after || results.get(c.after) === null);
      res.status(503).json({
        status: 'not ready',
        message: `Not ready: ${shown.map((c) => c.failure).join('; ')}.`,
        failing: failing.map((c) => c.name),
        checks: states,
      });
    }),
  );
  return router;
}

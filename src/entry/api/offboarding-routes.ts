import { Router } from 'express';
import { DomainError } from '../../domain/errors.js';
import {
  changeOffboarding,
  confirmHeldRemovals,
  discardHeldRemovals,
  latestUserCheck,
  offboardingView,
  startUserCheck,
  type OffboardingDeps,
  type OffboardingView,
} from '../../domain/offboarding.js';
import type { Removal, RemovalStore, UserCheck } from '../../domain/offboarding-stores.js';
import { actorOf } from './actor.js';
import { asyncRoute } from './async-route.js';
import { confirmRemovalsBody, offboardingBody, removalQuery } from './offboarding-schemas.js';
import { idParam } from './schemas.js';

function accountId(raw: string | undefined): string {
  const parsed = idParam.safeParse(raw);
  if (!parsed.success) throw new DomainError('not-found', 'No linked account with this id.');
  return parsed.data;
}

const presentView = (view: OffboardingView) => ({
  ...view,
  removalCount: view.preview.reduce((sum, member) => sum + member.groups.length, 0),
  preview: view.preview.map((member) => ({
    accountId: member.accountId,
    displayName: member.displayName,
    cause: member.cause,
    detectedAt: member.detectedAt,
    groups: member.groups.map((group) => ({ slug: group.slug, name: group.name })),
  })),
});

const presentRemoval = (removal: Removal) => {
  const { tenantId: _tenant, returned: _returned, ...shown } = removal;
  return shown;
};

const presentCheck = (check: UserCheck | null) => {
  if (!check) return null;
  const { tenantId: _tenant, ...shown } = check;
  return shown;
};

/** Offboarding's admin API (docs/admin-api.md "Offboarding"). */
export function offboardingRoutes(deps: OffboardingDeps & { removals: Pick<RemovalStore, 'list'> }): Router {
  const router = Router();

  router.get(
    '/linked-accounts/:id/offboarding',
    asyncRoute(async (req, res) => {
      res.json({ offboarding: presentView(await offboardingView(deps, actorOf(res), accountId(req.params.id))) });
    }),
  );

  router.put(
    '/linked-accounts/:id/offboarding',
    asyncRoute(async (req, res) => {
      const id = accountId(req.params.id);
      const body = offboardingBody.parse(req.body);
      res.json({ offboarding: presentView(await changeOffboarding(deps, actorOf(res), id, body)) });
    }),
  );

  router.post(
    '/linked-accounts/:id/removals/confirm',
    asyncRoute(async (req, res) => {
      const id = accountId(req.params.id);
      const body = confirmRemovalsBody.parse(req.body);
      res.json({ released: await confirmHeldRemovals(deps, actorOf(res), id, body.count) });
    }),
  );

  router.post(
    '/linked-accounts/:id/removals/discard',
    asyncRoute(async (req, res) => {
      res.json({ discarded: await discardHeldRemovals(deps, actorOf(res), accountId(req.params.id)) });
    }),
  );

  router.get(
    '/removals',
    asyncRoute(async (req, res) => {
      const query = removalQuery.parse(req.query);
      const { removals, total } = await deps.removals.list(actorOf(res).tenantId, query);
      res.json({ removals: removals.map(presentRemoval), page: query.page, pageSize: query.pageSize, total });
    }),
  );

  router.post(
    '/user-checks',
    asyncRoute(async (_req, res) => {
      res.status(202).json({ userCheck: presentCheck(await startUserCheck(deps, actorOf(res))) });
    }),
  );

  router.get(
    '/user-checks/latest',
    asyncRoute(async (_req, res) => {
      res.json({ userCheck: presentCheck(await latestUserCheck(deps, actorOf(res))) });
    }),
  );

  return router;
}

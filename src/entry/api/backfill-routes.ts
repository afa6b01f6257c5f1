import { Router } from 'express';
import {
  cancelBackfill,
  confirmBackfill,
  previewInvitations,
  startBackfill,
  type BackfillDeps,
  type BackfillProgress,
} from '../../domain/backfill.js';
import { DomainError } from '../../domain/errors.js';
import { actorOf } from './actor.js';
import { asyncRoute } from './async-route.js';
import { backfillsQuery, confirmBody, previewBody } from './backfill-schemas.js';
import { idParam } from './schemas.js';

function idOf(raw: string | undefined, what: string): string {
  const parsed = idParam.safeParse(raw);
  if (!parsed.success) throw new DomainError('not-found', `No ${what} with this id.`);
  return parsed.data;
}

/** The JSON shape of a backfill (docs/admin-api.md). */
export function presentBackfill(backfill: BackfillProgress) {
  const finished = backfill.invitations.sent + backfill.invitations.failed + backfill.invitations.skipped;
  return {
    id: backfill.id,
    linkedAccountId: backfill.linkedAccountId,
    status: backfill.status,
    groups: backfill.groups,
    threshold: backfill.threshold,
    usersScanned: backfill.usersScanned,
    toInvite: backfill.toInvite,
    confirmationRequired: backfill.status === 'awaiting-confirmation',
    confirmedCount: backfill.confirmedCount,
    invitationsCreated: backfill.invitationsCreated,
    invitations: backfill.invitations,
    /** 0 to 1 while sending; null while counting (the total is not known yet). */
    progress:
      backfill.status === 'counting' || backfill.status === 'awaiting-confirmation'
        ? null
        : backfill.toInvite === 0
          ? 1
          : Math.min(1, finished / backfill.toInvite),
    reason: backfill.reason,
    startedBy: backfill.startedBy,
    createdAt: backfill.createdAt,
    updatedAt: backfill.updatedAt,
    finishedAt: backfill.finishedAt,
  };
}

/** Preview and backfill: bringing a site's existing users in line with a linked account's default groups. */
export function backfillRoutes(deps: BackfillDeps): Router {
  const router = Router();
  const present = async (tenantId: string, id: string) => {
    const backfill = await deps.backfills.find(tenantId, id);
    if (!backfill) throw new DomainError('not-found', 'No backfill with this id.');
    return presentBackfill(backfill);
  };

  router.post(
    '/linked-accounts/:id/preview',
    asyncRoute(async (req, res) => {
      const id = idOf(req.params.id, 'linked account');
      const body = previewBody.parse(req.body ?? {});
      res.json({ preview: await previewInvitations(deps, actorOf(res), id, body) });
    }),
  );

  router.post(
    '/linked-accounts/:id/backfills',
    asyncRoute(async (req, res) => {
      const actor = actorOf(res);
      const started = await startBackfill(deps, actor, idOf(req.params.id, 'linked account'));
      res.status(201).json({ backfill: await present(actor.tenantId, started.id) });
    }),
  );

  router.get(
    '/backfills',
    asyncRoute(async (req, res) => {
      const query = backfillsQuery.parse(req.query);
      const backfills = await deps.backfills.list(actorOf(res).tenantId, {
        ...(query.linkedAccountId ? { linkedAccountId: query.linkedAccountId } : {}),
        limit: 20,
      });
      res.json({ backfills: backfills.map(presentBackfill), threshold: deps.settings.threshold });
    }),
  );

  router.get(
    '/backfills/:id',
    asyncRoute(async (req, res) => {
      res.json({ backfill: await present(actorOf(res).tenantId, idOf(req.params.id, 'backfill')) });
    }),
  );

  router.post(
    '/backfills/:id/confirm',
    asyncRoute(async (req, res) => {
      const actor = actorOf(res);
      const body = confirmBody.parse(req.body);
      const confirmed = await confirmBackfill(deps, actor, idOf(req.params.id, 'backfill'), body.count);
      res.json({ backfill: await present(actor.tenantId, confirmed.id) });
    }),
  );

  router.post(
    '/backfills/:id/cancel',
    asyncRoute(async (req, res) => {
      const actor = actorOf(res);
      const cancelled = await cancelBackfill(deps, actor, idOf(req.params.id, 'backfill'));
      res.json({ backfill: await present(actor.tenantId, cancelled.id) });
    }),
  );

  return router;
}

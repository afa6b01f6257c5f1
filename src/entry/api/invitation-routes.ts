import { Router } from 'express';
import { retryInvitation, sendInvitationNow } from '../../domain/delivery.js';
import { DomainError } from '../../domain/errors.js';
import type { InvitationStore } from '../../domain/stores.js';
import { actorOf } from './actor.js';
import { asyncRoute } from './async-route.js';
import { presentInvitation } from './presenters.js';
import { idParam, invitationQuery } from './schemas.js';

export function invitationRoutes(deps: { invitations: InvitationStore }): Router {
  const router = Router();

  router.get(
    '/invitations',
    asyncRoute(async (req, res) => {
      const query = invitationQuery.parse(req.query);
      const { invitations, total, totalCapped } = await deps.invitations.list(actorOf(res).tenantId, query);
      res.json({ invitations: invitations.map(presentInvitation), page: query.page, pageSize: query.pageSize, total, totalCapped });
    }),
  );

  router.post(
    '/invitations/:id/retry',
    asyncRoute(async (req, res) => {
      const invitation = await retryInvitation(deps, actorOf(res).tenantId, invitationId(req.params.id));
      res.json({ invitation: presentInvitation(invitation) });
    }),
  );

  router.post(
    '/invitations/:id/send-now',
    asyncRoute(async (req, res) => {
      const invitation = await sendInvitationNow(deps, actorOf(res).tenantId, invitationId(req.params.id));
      res.json({ invitation: presentInvitation(invitation) });
    }),
  );

  return router;
}

function invitationId(value: unknown): string {
  const id = idParam.safeParse(value);
  if (!id.success) throw new DomainError('not-found', 'No invitation with this id.');
  return id.data;
}

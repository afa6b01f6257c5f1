import { Router } from 'express';
import { DomainError } from '../../domain/errors.js';
import type { InvitationStore } from '../../domain/stores.js';
import { actorOf } from './actor.js';
import { asyncRoute } from './async-route.js';
import { presentInvitation } from './presenters.js';
import { idParam, invitationQuery } from './schemas.js';

export function invitationRoutes(deps: { invitations: InvitationStore }): Router {
  const router = Router();

  router.get('/invitations', asyncRoute(async (req, res) => {
    const query = invitationQuery.parse(req.query);
    const { invitations, total } = await deps.invitations.list(actorOf(res).tenantId, query);
    res.json({ invitations: invitations.map(presentInvitation), page: query.page, pageSize: query.pageSize, total });
  }));

  router.post('/invitations/:id/retry', asyncRoute(async (req, res) => {
    const id = idParam.safeParse(req.params.id);
    if (!id.success) throw new DomainError('not-found', 'No invitation with this id.');
    const outcome = await deps.invitations.requeue(actorOf(res).tenantId, id.data);
    if (outcome === 'not-found') throw new DomainError('not-found', 'No invitation with this id.');
    if (outcome === 'not-retryable') throw new DomainError('conflict', 'Only failed or skipped invitations can be retried.');
    res.json({ invitation: presentInvitation(outcome) });
  }));

  return router;
}

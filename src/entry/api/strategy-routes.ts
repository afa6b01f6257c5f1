import { Router } from 'express';
import { DomainError } from '../../domain/errors.js';
import { addRule, deleteRule, listRules, reorderRules, updateRule, type RuleDeps } from '../../domain/group-rules.js';
import { inviteNow, searchJiraUsers, type ManualInvitationDeps } from '../../domain/manual-invitations.js';
import { listPendingReview, sendFromReview, skipFromReview, type ReviewDeps } from '../../domain/review.js';
import { actorOf } from './actor.js';
import { asyncRoute } from './async-route.js';
import { idParam } from './schemas.js';
import {
  jiraAccountIdParam,
  manualInviteBody,
  pendingReviewQuery,
  reorderRulesBody,
  ruleBody,
  sendFromReviewBody,
  userSearchQuery,
} from './strategy-schemas.js';

function uuid(raw: string | undefined, what: string): string {
  const parsed = idParam.safeParse(raw);
  if (!parsed.success) throw new DomainError('not-found', `No ${what} with this id.`);
  return parsed.data;
}

/**
 * Invitation strategies beside the defaults (docs/admin-api.md): a linked account's rules, the
 * Pending review list, and Invite someone now with Jira's user search.
 */
export function strategyRoutes(deps: RuleDeps & ReviewDeps & ManualInvitationDeps): Router {
  const router = Router();

  router.get(
    '/linked-accounts/:id/rules',
    asyncRoute(async (req, res) => {
      res.json({ rules: await listRules(deps, actorOf(res), uuid(req.params.id, 'linked account')) });
    }),
  );

  router.post(
    '/linked-accounts/:id/rules',
    asyncRoute(async (req, res) => {
      const id = uuid(req.params.id, 'linked account');
      const { position, ...input } = ruleBody.parse(req.body);
      res.status(201).json({ rule: await addRule(deps, actorOf(res), id, input, position) });
    }),
  );

  router.put(
    '/linked-accounts/:id/rules/order',
    asyncRoute(async (req, res) => {
      const id = uuid(req.params.id, 'linked account');
      const body = reorderRulesBody.parse(req.body);
      res.json({ rules: await reorderRules(deps, actorOf(res), id, body.ruleIds) });
    }),
  );

  router.put(
    '/linked-accounts/:id/rules/:ruleId',
    asyncRoute(async (req, res) => {
      const id = uuid(req.params.id, 'linked account');
      const ruleId = uuid(req.params.ruleId, 'rule');
      const { position: _ignored, ...input } = ruleBody.parse(req.body);
      res.json({ rule: await updateRule(deps, actorOf(res), id, ruleId, input) });
    }),
  );

  router.delete(
    '/linked-accounts/:id/rules/:ruleId',
    asyncRoute(async (req, res) => {
      const id = uuid(req.params.id, 'linked account');
      const ruleId = uuid(req.params.ruleId, 'rule');
      await deleteRule(deps, actorOf(res), id, ruleId);
      res.json({ removed: ruleId });
    }),
  );

  router.get(
    '/pending-review',
    asyncRoute(async (req, res) => {
      const query = pendingReviewQuery.parse(req.query);
      const page = await listPendingReview(deps, actorOf(res), query);
      res.json({ ...page, page: query.page, pageSize: query.pageSize });
    }),
  );

  router.post(
    '/linked-accounts/:id/pending-review/:accountId/send',
    asyncRoute(async (req, res) => {
      const id = uuid(req.params.id, 'linked account');
      const accountId = jiraAccountIdParam.parse(req.params.accountId);
      const body = sendFromReviewBody.parse(req.body);
      res.json({ outcomes: await sendFromReview(deps, actorOf(res), id, accountId, body.groups) });
    }),
  );

  router.post(
    '/linked-accounts/:id/pending-review/:accountId/skip',
    asyncRoute(async (req, res) => {
      const id = uuid(req.params.id, 'linked account');
      const accountId = jiraAccountIdParam.parse(req.params.accountId);
      res.json({ outcomes: await skipFromReview(deps, actorOf(res), id, accountId) });
    }),
  );

  router.get(
    '/jira-users',
    asyncRoute(async (req, res) => {
      const query = userSearchQuery.parse(req.query);
      res.json({ users: await searchJiraUsers(deps, actorOf(res), query.query) });
    }),
  );

  router.post(
    '/invitations/manual',
    asyncRoute(async (req, res) => {
      const body = manualInviteBody.parse(req.body);
      res.json({ results: await inviteNow(deps, actorOf(res), body) });
    }),
  );

  return router;
}

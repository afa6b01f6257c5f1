import { Router } from 'express';
import {
  groupChoices,
  linkAccount,
  refreshGroups,
  setDefaultGroups,
  suggestOrganizationGroups,
  unlinkAccount,
  updateCredentials,
  type LinkedAccountDeps,
} from '../../domain/linked-accounts.js';
import { DomainError } from '../../domain/errors.js';
import { actorOf } from './actor.js';
import { asyncRoute } from './async-route.js';
import { presentLinkedAccount } from './presenters.js';
import {
  defaultGroupsBody,
  groupsQuery,
  idParam,
  linkAccountBody,
  linkedAccountsQuery,
  organizationSuggestionQuery,
  updateCredentialsBody,
} from './schemas.js';

function accountId(raw: string | undefined): string {
  const parsed = idParam.safeParse(raw);
  if (!parsed.success) throw new DomainError('not-found', 'No linked account with this id.');
  return parsed.data;
}

export function linkedAccountRoutes(deps: LinkedAccountDeps): Router {
  const router = Router();

  router.get(
    '/linked-accounts',
    asyncRoute(async (req, res) => {
      const query = linkedAccountsQuery.parse(req.query);
      const accounts = await deps.linkedAccounts.list(actorOf(res).tenantId, { includeUnlinked: query.include === 'unlinked' });
      res.json({ linkedAccounts: accounts.map(presentLinkedAccount) });
    }),
  );

  router.post(
    '/linked-accounts',
    asyncRoute(async (req, res) => {
      const request = linkAccountBody.parse(req.body);
      const account = await linkAccount(deps, actorOf(res), request);
      res.status(201).json({ linkedAccount: presentLinkedAccount(account) });
    }),
  );

  router.delete(
    '/linked-accounts/:id',
    asyncRoute(async (req, res) => {
      const id = accountId(req.params.id);
      await unlinkAccount(deps, actorOf(res), id);
      // A JSON body, not an empty 204: Forge's invokeRemote expects JSON answers.
      res.json({ unlinked: id });
    }),
  );

  router.put(
    '/linked-accounts/:id/credentials',
    asyncRoute(async (req, res) => {
      const id = accountId(req.params.id);
      const body = updateCredentialsBody.parse(req.body);
      const account = await updateCredentials(deps, actorOf(res), id, body.credentials);
      res.json({ linkedAccount: presentLinkedAccount(account) });
    }),
  );

  router.get(
    '/linked-accounts/:id/groups',
    asyncRoute(async (req, res) => {
      const id = accountId(req.params.id);
      const query = groupsQuery.parse(req.query);
      const choices = await groupChoices(deps, actorOf(res), id, {
        refresh: query.refresh === 'true',
        ...(query.search ? { search: query.search } : {}),
        ...(query.cursor ? { cursor: query.cursor } : {}),
      });
      res.json(choices);
    }),
  );

  router.post(
    '/linked-accounts/:id/refresh-groups',
    asyncRoute(async (req, res) => {
      const account = await refreshGroups(deps, actorOf(res), accountId(req.params.id));
      res.json({ linkedAccount: presentLinkedAccount(account) });
    }),
  );

  router.put(
    '/linked-accounts/:id/default-groups',
    asyncRoute(async (req, res) => {
      const id = accountId(req.params.id);
      const body = defaultGroupsBody.parse(req.body);
      const account = await setDefaultGroups(deps, actorOf(res), id, body.groups, body.mode);
      res.json({ linkedAccount: presentLinkedAccount(account) });
    }),
  );

  router.get(
    '/linked-accounts/:id/organization-suggestion',
    asyncRoute(async (req, res) => {
      const id = accountId(req.params.id);
      const query = organizationSuggestionQuery.parse(req.query);
      res.json(await suggestOrganizationGroups(deps, actorOf(res), id, query.organizationAccountId));
    }),
  );

  return router;
}

import { Router } from 'express';
import { discoverOrganizations } from '../../domain/linked-accounts.js';
import type { OrganizationDiscovery } from '../../domain/ports.js';
import { asyncRoute } from './async-route.js';
import { discoverOrganizationsBody } from './schemas.js';

/** What an organization API key can reach, for the link form to offer instead of asking for ids. */
export function organizationRoutes(deps: { organizations: OrganizationDiscovery }): Router {
  const router = Router();

  router.post(
    '/organizations/discover',
    asyncRoute(async (req, res) => {
      const body = discoverOrganizationsBody.parse(req.body);
      const organizations = await discoverOrganizations(deps, { type: 'organization-api-key', apiKey: body.apiKey });
      res.json({ organizations });
    }),
  );

  return router;
}

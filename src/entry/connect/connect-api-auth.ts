import type { RequestHandler } from 'express';
import { setActor } from '../api/actor.js';
import type { ConnectAddon } from './connect-addon.js';
import { asAuthentication, connectContext, stillInstalled, UNINSTALLED_MESSAGE } from './connect-request.js';
import type { ConnectTenantDirectory } from './tenant-directory.js';

/**
 * Admin API calls from the Connect iframe carry `Authorization: JWT <context token>`
 * (qsh "context-qsh"), which only ACE's checkValidToken accepts.
 */
export function connectApiAuthentication(addon: ConnectAddon, directory: ConnectTenantDirectory): RequestHandler {
  const checkToken = asAuthentication(addon.checkValidToken());
  return (req, res, next) => {
    checkToken(req, res, async () => {
      try {
        const context = connectContext(req);
        if (!context.userAccountId) {
          res.status(401).json({ message: 'Authentication failed: the token names no user.' });
          return;
        }
        const tenant = await directory.byClientKey(context.clientKey, context.hostBaseUrl, stillInstalled(addon, context.clientKey));
        if (!tenant) {
          res.status(401).json({ message: UNINSTALLED_MESSAGE });
          return;
        }
        setActor(res, { tenantId: tenant.id, accountId: context.userAccountId });
        next();
      } catch (error) {
        next(error);
      }
    });
  };
}

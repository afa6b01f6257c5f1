import type { Request, RequestHandler } from 'express';
import { setActor } from '../api/actor.js';
import { SESSION_NOT_VERIFIED } from '../api/host-authentication.js';
import { sendError } from '../api/http-errors.js';
import type { ConnectAddon } from './connect-addon.js';
import { stillInstalled } from './connect-request.js';
import { ContextTokenRejectedError, verifyContextToken, type ConnectInstall } from './context-token.js';
import type { ConnectTenantDirectory } from './tenant-directory.js';
import { asyncRoute } from '../api/async-route.js';

/**
 * Admin API calls from the Connect iframe carry `Authorization: JWT <context token>`, which the
 * page asks AP.context.getToken() for before each call. They are verified here rather than by
 * ACE's checkValidToken, which skips the qsh check, accepts tokens without (or with a far) expiry,
 * and answers with a fresh session token (X-acpt) that renews itself for as long as it is used.
 * This answers with no token at all: a leaked context token is good for its 15 minutes, no more.
 */
export function connectApiAuthentication(addon: ConnectAddon, directory: ConnectTenantDirectory): RequestHandler {
  // Through ACE's store, and so through its clientInfo cache (client-info-cache.ts).
  const installOf = (clientKey: string) => addon.settings.get<ConnectInstall | null>('clientInfo', clientKey);
  return asyncRoute(async (req, res, next) => {
    try {
      const token = contextTokenOf(req);
      if (!token) throw new ContextTokenRejectedError('no context token (Authorization: JWT …) on the request');
      const verified = await verifyContextToken(token, installOf);
      const tenant = await directory.byClientKey(verified.clientKey, verified.hostBaseUrl, stillInstalled(addon, verified.clientKey));
      if (!tenant) throw new ContextTokenRejectedError('the site uninstalled the app while the request was on its way', verified.clientKey);
      setActor(res, { tenantId: tenant.id, accountId: verified.userAccountId });
      next();
    } catch (error) {
      if (!(error instanceof ContextTokenRejectedError)) return next(error);
      req.log.info(
        { reason: error.reason, clientKey: error.clientKey ?? null, method: req.method, path: req.path },
        'admin API request refused: Connect context token',
      );
      sendError(res, 401, SESSION_NOT_VERIFIED);
    }
  });
}

/** The token of `Authorization: JWT <token>`; the admin API takes it from nowhere else. */
function contextTokenOf(req: Request): string | null {
  const [scheme, token, ...rest] = (req.header('authorization') ?? '').trim().split(/\s+/);
  return scheme === 'JWT' && token && rest.length === 0 ? token : null;
}

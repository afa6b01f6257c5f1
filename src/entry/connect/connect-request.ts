import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { forgetClientInfo } from './client-info-cache.js';
import type { ConnectAddon } from './connect-addon.js';

/** What ACE's authentication leaves on the request. */
export type ConnectContext = { clientKey: string; hostBaseUrl?: string; userAccountId?: string };

export function connectContext(req: Request): ConnectContext {
  return (req as Request & { context: ConnectContext }).context;
}

/**
 * Runs an ACE middleware and answers its failures as JSON 401. ACE answers a bad signature
 * with 400; to a caller every authentication failure is a 401, and nothing is changed.
 */
export function asAuthentication(aceMiddleware: RequestHandler): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    aceMiddleware(req, res, (error?: unknown) => {
      if (!error) return next();
      const failure = error as { code?: number; message?: string };
      const status = failure.code === 500 ? 500 : 401;
      res.status(status).json({
        message: status === 401 ? `Authentication failed: ${failure.message ?? 'invalid token'}` : 'Could not check the authentication.',
      });
    });
  };
}

/** The answer to a request from a site that uninstalled the app while the request was on its way. */
export const UNINSTALLED_MESSAGE = 'Authentication failed: the app is no longer installed on this site.';

/**
 * Whether ACE's store still holds the site's installation (the uninstall removes it first). Read
 * past this instance's clientInfo cache: another instance may have taken the uninstall.
 */
export function stillInstalled(addon: ConnectAddon, clientKey: string) {
  return async () => {
    forgetClientInfo(addon, clientKey);
    return Boolean(await addon.settings.get('clientInfo', clientKey));
  };
}

import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { decodeJwt } from 'jose';
import { REQUEST_NOT_AUTHENTICATED } from '../api/host-authentication.js';
import { forgetClientInfo } from './client-info-cache.js';
import type { ConnectAddon } from './connect-addon.js';

/** What ACE's authentication leaves on the request. */
export type ConnectContext = { clientKey: string; hostBaseUrl?: string; userAccountId?: string };

export function connectContext(req: Request): ConnectContext {
  return (req as Request & { context: ConnectContext }).context;
}

/** ACE's session token header. */
const SESSION_TOKEN_HEADER = 'X-acpt';

/**
 * Runs an ACE middleware and answers its failures as JSON 401. ACE answers a bad signature
 * with 400; to a caller every authentication failure is a 401, and nothing is changed. ACE's
 * reason stays in the log (it logs it itself, through connect-addon.ts's scrubbing logger): it
 * can quote the token's header and payload, or say which sites are installed.
 */
export function asAuthentication(aceMiddleware: RequestHandler): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    aceMiddleware(req, res, (error?: unknown) => {
      // ACE sets a session token (X-acpt) on every authenticated answer, one that would renew
      // itself on each use: this app honours no such token, so it hands none out either.
      res.removeHeader(SESSION_TOKEN_HEADER);
      if (!error) return next();
      const failure = error as { code?: number };
      if (failure.code === 500) return res.status(500).json({ message: 'Could not check the authentication. Try again in a moment.' });
      res.status(401).json({ message: REQUEST_NOT_AUTHENTICATED });
    });
  };
}

/** Jira signs each webhook with a token that lives a few minutes; a quarter of an hour is generous. */
const SIGNED_REQUEST_MAX_LIFETIME_SECONDS = 15 * 60 + 60;

/**
 * Runs after ACE's authenticate(): ACE accepts a signed request without `exp`, or with one
 * far away, and since `qsh` binds the path but not the body, such a captured request could be
 * replayed with other users for as long as it lasts. Here its token must expire soon.
 */
export function requireShortLivedToken(): RequestHandler {
  return (req, res, next) => {
    const header = req.header('authorization') ?? '';
    const token = header.startsWith('JWT ') ? header.slice(4) : typeof req.query.jwt === 'string' ? req.query.jwt : '';
    let exp: unknown;
    try {
      exp = decodeJwt(token).exp;
    } catch {
      exp = undefined;
    }
    const now = Math.floor(Date.now() / 1000);
    if (typeof exp === 'number' && exp <= now + SIGNED_REQUEST_MAX_LIFETIME_SECONDS) return next();
    req.log.info(
      { path: req.path, clientKey: connectContext(req)?.clientKey ?? null },
      'signed request refused: its token has no expiry or one too far away',
    );
    res.status(401).json({ message: REQUEST_NOT_AUTHENTICATED });
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

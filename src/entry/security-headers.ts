import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { RequestHandler, Response } from 'express';
import helmet from 'helmet';

/** The hosts of Jira Cloud sites, the only ones that may frame the Connect pages. */
export const JIRA_FRAME_ANCESTORS = ['https://*.atlassian.net', 'https://*.jira.com'];

export type SecurityHeaderOptions = {
  /** The Connect host script the pages load (CONNECT_ALL_JS_URL). */
  allJsUrl: string;
  /** The sandbox frames the pages itself, from the app's own origin. */
  sandbox: boolean;
  /** Whether the app is served over HTTPS (then every request of its pages must be too). */
  https: boolean;
};

/** The nonce of this response's inline script, for the page shell. */
export function cspNonce(res: Response): string {
  return res.locals.cspNonce as string;
}

/**
 * Helmet's headers on every answer, with a Content-Security-Policy fit for the iframe pages:
 * framed only by Jira (and the sandbox), scripts only from the app, Connect's all.js origin and
 * the one inline script that carries this response's nonce. Forge serves its Custom UI resource
 * itself, from its own CDN under its own policy; what Forge sends this server are API calls.
 */
export function securityHeaders(options: SecurityHeaderOptions): RequestHandler[] {
  const allJsOrigin = new URL(options.allJsUrl).origin;
  const nonce: RequestHandler = (_req, res, next) => {
    res.locals.cspNonce = randomBytes(16).toString('base64');
    next();
  };
  const headers = helmet({
    contentSecurityPolicy: {
      directives: {
        scriptSrc: ["'self'", allJsOrigin, (_req, res) => `'nonce-${(res as ServerResponse & Response).locals.cspNonce as string}'`],
        connectSrc: ["'self'"],
        frameAncestors: [...JIRA_FRAME_ANCESTORS, ...(options.sandbox ? ["'self'"] : [])],
        // Over plain HTTP (a local run) there is nothing to upgrade to.
        upgradeInsecureRequests: options.https ? [] : null,
      },
    },
    // X-Frame-Options knows only SAMEORIGIN or DENY, either of which would keep Jira from framing
    // the pages; frame-ancestors above says who may.
    frameguard: false,
    // The page URLs Jira frames carry a signed token in their query string: never pass it on.
    referrerPolicy: { policy: 'no-referrer' },
  });
  return [nonce, headers];
}

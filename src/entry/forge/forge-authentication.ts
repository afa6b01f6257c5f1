import type { Request, RequestHandler, Response } from 'express';
import type { ForgeTenant } from '../../persistence/forge-tenant-repository.js';
import { setActor } from '../api/actor.js';
import { SESSION_NOT_VERIFIED } from '../api/host-authentication.js';
import { sendError } from '../api/http-errors.js';
import {
  ForgeKeysUnavailableError,
  ForgeTokenRejectedError,
  type ForgeInvocation,
  type ForgeInvocationTokenVerifier,
} from './forge-invocation-token.js';
import { UnknownForgeSiteError, type ForgeTenantDirectory } from './forge-tenant-directory.js';
import { asyncRoute } from '../api/async-route.js';

/** What a verified Forge request leaves on res.locals. */
export type ForgeRequestContext = { invocation: ForgeInvocation; tenant: ForgeTenant };

export function forgeContext(res: Response): ForgeRequestContext {
  const context = res.locals.forge as ForgeRequestContext | undefined;
  if (!context) throw new Error('No Forge context: forgeAuthentication did not run');
  return context;
}

/** Which Forge modules may call a route, and what a refused caller is told. */
export type ForgeRouteAccess = {
  /** The manifest's module keys whose invocations this route serves (see FORGE_MODULES). */
  modules: readonly string[];
  /** The sentence a refused caller gets; the reason goes to the log. */
  refusal: string;
};

/**
 * Every request from Forge carries `Authorization: Bearer <Forge Invocation Token>`. A request
 * whose token does not verify, or comes from a module this route does not serve, gets 401 and
 * changes nothing: every token of the app is signed alike, so without the module check a page's
 * invokeRemote could post "new users" to the event routes. A verified one leaves its tenant on
 * res.locals, and the app token Forge sent with it (x-forge-oauth-system) is kept, sealed, for
 * the Jira calls made later by jobs.
 */
export function forgeAuthentication(
  verifier: ForgeInvocationTokenVerifier,
  directory: ForgeTenantDirectory,
  access: ForgeRouteAccess,
): RequestHandler {
  return asyncRoute(async (req, res, next) => {
    try {
      const [scheme, token] = (req.header('authorization') ?? '').split(' ');
      if (scheme?.toLowerCase() !== 'bearer' || !token) {
        throw new ForgeTokenRejectedError('no Forge Invocation Token (Authorization: Bearer) on the request');
      }
      const invocation = await verifier.verify(token);
      // Module keys are unique within an app, so the key alone names the module; its `type` is
      // not checked, since Forge documents internal names there for UI modules (`xen:macro`).
      const module = invocation.app.module;
      if (!module?.key || !access.modules.includes(module.key)) {
        throw new ForgeTokenRejectedError(`the token comes from module ${JSON.stringify(module?.key ?? null)}, which this route does not serve`);
      }
      const tenant = await directory.tenantOf(invocation);
      const appToken = req.header('x-forge-oauth-system');
      if (appToken) await directory.rememberAppToken(tenant, appToken);
      res.locals.forge = { invocation, tenant } satisfies ForgeRequestContext;
      next();
    } catch (error) {
      if (error instanceof ForgeTokenRejectedError || error instanceof UnknownForgeSiteError) {
        logRefusal(req, error.message);
        return sendError(res, 401, access.refusal);
      }
      if (error instanceof ForgeKeysUnavailableError) {
        req.log.warn({ method: req.method, path: req.path }, "Forge request not checked: Forge's signing keys could not be fetched");
        return sendError(res, 503, 'Could not check the authentication right now. Try again in a moment.');
      }
      next(error);
    }
  });
}

/** The admin API through Forge: a call from one of the admin page's modules, whose `principal` is the acting user. */
export function forgeApiAuthentication(
  verifier: ForgeInvocationTokenVerifier,
  directory: ForgeTenantDirectory,
  modules: readonly string[],
): RequestHandler {
  const authenticate = forgeAuthentication(verifier, directory, { modules, refusal: SESSION_NOT_VERIFIED });
  return (req, res, next) => {
    authenticate(req, res, (error?: unknown) => {
      if (error) return next(error);
      const { invocation, tenant } = forgeContext(res);
      if (!invocation.principal) {
        logRefusal(req, 'the token names no user');
        return sendError(res, 401, SESSION_NOT_VERIFIED);
      }
      setActor(res, { tenantId: tenant.id, accountId: invocation.principal });
      next();
    });
  };
}

function logRefusal(req: Request, reason: string): void {
  req.log.info({ reason, method: req.method, path: req.path }, 'Forge request refused');
}

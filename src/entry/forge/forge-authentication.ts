import type { RequestHandler, Response } from 'express';
import type { ForgeTenant } from '../../persistence/forge-tenant-repository.js';
import { setActor } from '../api/actor.js';
import { sendError } from '../api/http-errors.js';
import { ForgeKeysUnavailableError, ForgeTokenRejectedError, type ForgeInvocation, type ForgeInvocationTokenVerifier } from './forge-invocation-token.js';
import { UnknownForgeSiteError, type ForgeTenantDirectory } from './forge-tenant-directory.js';

/** What a verified Forge request leaves on res.locals. */
export type ForgeRequestContext = { invocation: ForgeInvocation; tenant: ForgeTenant };

export function forgeContext(res: Response): ForgeRequestContext {
  const context = res.locals.forge as ForgeRequestContext | undefined;
  if (!context) throw new Error('No Forge context: forgeAuthentication did not run');
  return context;
}

/**
 * Every request from Forge carries `Authorization: Bearer <Forge Invocation Token>`. A request
 * whose token does not verify gets 401 and changes nothing. A verified one leaves its tenant on
 * res.locals, and the app token Forge sent with it (x-forge-oauth-system) is kept, sealed, for
 * the Jira calls made later by jobs.
 */
export function forgeAuthentication(verifier: ForgeInvocationTokenVerifier, directory: ForgeTenantDirectory): RequestHandler {
  return async (req, res, next) => {
    try {
      const [scheme, token] = (req.header('authorization') ?? '').split(' ');
      if (scheme?.toLowerCase() !== 'bearer' || !token) {
        return sendError(res, 401, 'Authentication failed: a Forge Invocation Token (Authorization: Bearer) is required.');
      }
      const invocation = await verifier.verify(token);
      const tenant = await directory.tenantOf(invocation);
      const appToken = req.header('x-forge-oauth-system');
      if (appToken) await directory.rememberAppToken(tenant, appToken);
      res.locals.forge = { invocation, tenant } satisfies ForgeRequestContext;
      next();
    } catch (error) {
      if (error instanceof ForgeTokenRejectedError || error instanceof UnknownForgeSiteError) {
        return sendError(res, 401, `Authentication failed: ${error.message}.`);
      }
      if (error instanceof ForgeKeysUnavailableError) {
        return sendError(res, 503, `Could not check the authentication: ${error.message}. Try again in a moment.`);
      }
      next(error);
    }
  };
}

/** The admin API through Forge: a UI call whose `principal` is the acting user. */
export function forgeApiAuthentication(verifier: ForgeInvocationTokenVerifier, directory: ForgeTenantDirectory): RequestHandler {
  const authenticate = forgeAuthentication(verifier, directory);
  return (req, res, next) => {
    authenticate(req, res, (error?: unknown) => {
      if (error) return next(error);
      const { invocation, tenant } = forgeContext(res);
      if (!invocation.principal) return sendError(res, 401, 'Authentication failed: the token names no user.');
      setActor(res, { tenantId: tenant.id, accountId: invocation.principal });
      next();
    });
  };
}

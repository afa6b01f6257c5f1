import type { RequestHandler } from 'express';

/**
 * What an admin API caller hears when its token is refused, whatever the reason: the reason
 * itself (and anything from the token) goes to the log only, so the answer tells a prober nothing
 * about which sites are installed or how close a forged token came.
 */
export const SESSION_NOT_VERIFIED = 'Your session could not be verified. Reload the page and try again.';

/** The same for requests from Jira or Forge themselves (webhooks, events, lifecycle callbacks). */
export const REQUEST_NOT_AUTHENTICATED = 'The request could not be authenticated.';

/**
 * The admin API serves both hosts: the Connect iframe sends `Authorization: JWT <context token>`,
 * Forge's invokeRemote sends `Authorization: Bearer <Forge Invocation Token>`. Each scheme goes to
 * its host's authentication; without Forge configured, everything goes to Connect's, which
 * refuses a Bearer token as it always did.
 */
export function hostAuthentication(hosts: { connect: RequestHandler; forge?: RequestHandler | undefined }): RequestHandler {
  return (req, res, next) => {
    const scheme = (req.header('authorization') ?? '').split(' ', 1)[0]!.toLowerCase();
    if (scheme === 'bearer' && hosts.forge) return hosts.forge(req, res, next);
    return hosts.connect(req, res, next);
  };
}

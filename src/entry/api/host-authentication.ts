import type { RequestHandler } from 'express';

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

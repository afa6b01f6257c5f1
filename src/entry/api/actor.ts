import type { Response } from 'express';
import type { Actor } from '../../domain/linked-accounts.js';

/** Each host adapter authenticates the request and leaves the acting admin on res.locals. */
export function setActor(res: Response, actor: Actor): void {
  res.locals.actor = actor;
}

export function actorOf(res: Response): Actor {
  const actor = res.locals.actor as Actor | undefined;
  if (!actor) throw new Error('No authenticated actor: the host authentication middleware did not run');
  return actor;
}

import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** Express 4 does not pass a rejected promise to the error handler; this does. */
export function asyncRoute(handler: (req: Request, res: Response, next: NextFunction) => Promise<unknown>): RequestHandler {
  return (req, res, next) => {
    handler(req, res, next).catch(next);
  };
}

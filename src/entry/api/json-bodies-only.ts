import type { RequestHandler } from 'express';
import { HttpError } from './http-errors.js';

/**
 * A body the API cannot read as JSON is refused, not taken for no body at all: a route whose body
 * is optional (a preview's proposed rules) would otherwise answer for something the caller did not
 * send. A request without a body, whatever its headers, goes on.
 */
export function jsonBodiesOnly(): RequestHandler {
  return (req, _res, next) => {
    const length = Number(req.headers['content-length'] ?? 0);
    const hasBody = req.headers['transfer-encoding'] !== undefined || length > 0;
    next(
      hasBody && !req.is('application/json') ? new HttpError(415, 'Send the request body as JSON, with Content-Type: application/json.') : undefined,
    );
  };
}

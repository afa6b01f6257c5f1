import type { ErrorRequestHandler, Response } from 'express';
import { ZodError } from 'zod';
import { DomainError, ThrottledError, type DomainErrorKind } from '../../domain/errors.js';

const STATUS: Record<DomainErrorKind, number> = {
  invalid: 400,
  'not-found': 404,
  conflict: 409,
  'upstream-rejected': 422,
  'upstream-unavailable': 502,
};

/** An error the client should see with its own status and message. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function sendError(res: Response, status: number, message: string, fieldErrors?: Record<string, string>): void {
  res.status(status).json(fieldErrors ? { message, fieldErrors } : { message });
}

export function fieldErrorsOf(error: ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const path = issue.path.join('.') || '(body)';
    fields[path] ??= issue.message;
  }
  return fields;
}

/**
 * Answers a request its schema refused: 400, the first problem as the message (the sentence a
 * banner shows, after `lead` when the caller is not a person, e.g. "The user_created event is
 * not valid."), and every field's own sentence in fieldErrors.
 */
export function sendInvalid(res: Response, error: ZodError, lead?: string): void {
  const fieldErrors = fieldErrorsOf(error);
  const first = Object.values(fieldErrors)[0] ?? 'The request is not valid.';
  sendError(res, 400, lead ? `${lead} ${first}` : first, fieldErrors);
}

/** The last middleware: every failure leaves as JSON with a message, never as a stack trace. */
/** What Express, body-parser and Sequelize put on the errors they throw, as far as this handler reads it. */
type LibraryError = { name?: unknown; type?: unknown; status?: unknown; index?: unknown; parent?: { constraint?: unknown } };

export function errorHandler(): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    if (error instanceof ZodError) return sendInvalid(res, error);
    // The code, when there is one, lets the page offer a way out (e.g. link the organization of an admin-managed workspace).
    if (error instanceof DomainError)
      return res.status(STATUS[error.kind]).json(error.code ? { message: error.message, code: error.code } : { message: error.message });
    if (error instanceof HttpError) return sendError(res, error.status, error.message);
    if (error instanceof ThrottledError) {
      res.setHeader('Retry-After', String(Math.ceil(error.waitMs / 1000)));
      return sendError(res, 429, "Bitbucket's request limit for these credentials on this workspace is used up for now. Try again later.");
    }
    const failure: LibraryError = typeof error === 'object' && error !== null ? error : {};
    if (failure.name === 'SequelizeForeignKeyConstraintError') {
      // What the request wrote to was removed while it ran: an unlink, or the app's uninstall.
      req.log.warn(
        { method: req.method, path: req.path, constraint: failure.index ?? failure.parent?.constraint },
        'request lost a race with a removal',
      );
      return sendError(res, 409, 'This changed while your request ran (the app was uninstalled from this site). Reload and try again.');
    }
    if (failure.type === 'entity.parse.failed') return sendError(res, 400, 'The request body is not valid JSON.');
    if (failure.type === 'entity.too.large') return sendError(res, 413, 'The request body is too large.');
    if (failure.type === 'charset.unsupported') return sendError(res, 415, 'Send the request body as UTF-8 JSON.');
    if (failure.type === 'encoding.unsupported')
      return sendError(res, 415, 'Send the request body uncompressed, or compressed with gzip or deflate.');
    // Other refusals by Express or body-parser (an undecodable path parameter, say) carry their 4xx
    // status: they are the caller's mistake, not a failure on our side. Their own words are a
    // library's, so the caller gets a sentence of ours.
    const status = typeof failure.status === 'number' ? failure.status : undefined;
    if (status !== undefined && status >= 400 && status < 500) return sendError(res, status, 'The request is not valid.');
    req.log.error({ err: error, method: req.method, path: req.path }, 'request failed');
    return sendError(res, 500, 'Something went wrong on our side. Please try again.');
  };
}

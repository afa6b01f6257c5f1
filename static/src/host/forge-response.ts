// Maps what @forge/bridge's invokeRemote gives back onto ApiResult.
//
// The two readings differ, so both are accepted:
// - @forge/bridge 7.x resolves with `{ status, headers, body }` for every answer, 2xx or not
//   (the bridge spreads either its `payload` or its `error` object);
// - the public docs say the promise resolves with the JSON body (no status) and REJECTS on a
//   non-2xx or non-JSON answer, with an error message.
import { displayMessage, fallbackMessage, toApiResult } from './api-result';
import type { ApiResult } from './host-bridge';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function fromInvokeResult<T>(result: unknown): ApiResult<T> {
  if (isRecord(result) && typeof result.status === 'number') {
    let body = result.body;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body) as unknown;
      } catch {
        body = { message: body };
      }
    }
    if (result.status >= 300 && !(isRecord(body) && typeof body.message === 'string')) {
      if (typeof result.message === 'string') body = { ...(isRecord(body) ? body : {}), message: result.message };
    }
    return toApiResult<T>(result.status, body);
  }
  return { ok: true, status: 200, body: result as T };
}

export function fromInvokeError<T>(error: unknown): ApiResult<T> {
  const raw = isRecord(error) || error instanceof Error ? (error as { message?: unknown; status?: unknown }) : {};
  const text = typeof raw.message === 'string' ? raw.message : typeof error === 'string' ? error : '';
  let status = typeof raw.status === 'number' ? raw.status : 0;
  if (status === 0) {
    const match = /\b([45]\d\d)\b/.exec(text);
    if (match?.[1]) status = Number(match[1]);
  }
  // The message may carry the server's JSON answer.
  const jsonStart = text.indexOf('{');
  if (jsonStart >= 0) {
    try {
      const parsed = JSON.parse(text.slice(jsonStart)) as unknown;
      if (isRecord(parsed) && typeof parsed.message === 'string') {
        const result = toApiResult<T>(status || 500, parsed);
        return result;
      }
    } catch {
      // not JSON: fall through
    }
  }
  const message = status !== 0 ? fallbackMessage(status) : displayMessage(text, 0);
  return { ok: false, status, message };
}

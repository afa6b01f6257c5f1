// Turns an HTTP status and a parsed body into an ApiResult. Shared by both bridges.
import type { ApiResult, DialogData } from './host-bridge';

const FALLBACK_MESSAGES: Record<number, string> = {
  0: "Couldn't reach the app's server. Check your connection and try again.",
  400: 'The request was not valid.',
  401: 'Your session could not be verified. Reload the page and try again.',
  403: 'Only Jira administrators can manage automatic team invitations.',
  404: 'That item no longer exists. Reload the page to see the current state.',
  409: 'That conflicts with the current state. Reload the page and try again.',
  422: 'Bitbucket or Atlassian Administration refused the request.',
  429: 'Too many requests. Wait a moment and try again.',
  502: "Bitbucket or Atlassian Administration couldn't be reached. Try again in a few minutes.",
};

export function fallbackMessage(status: number): string {
  return FALLBACK_MESSAGES[status] ?? `Something went wrong (HTTP ${status}). Try again.`;
}

/** A JWT, or a header or payload of one ("eyJ" is how base64 of `{"` begins). */
const TOKEN_MATERIAL = /eyJ[A-Za-z0-9_-]{8,}/;

/**
 * The sentence to show for a failure: `message` (the server's, or a bridge's) unless it is empty
 * or quotes token material, which a page must never show, whatever sent it.
 */
export function displayMessage(message: unknown, status: number): string {
  return typeof message === 'string' && message.trim() !== '' && !TOKEN_MATERIAL.test(message) ? message : fallbackMessage(status);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringRecord(value: unknown): Record<string, string> | undefined {
  if (!isRecord(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) if (typeof v === 'string') out[key] = v;
  return Object.keys(out).length > 0 ? out : undefined;
}

export function toApiResult<T>(status: number, body: unknown): ApiResult<T> {
  if (status >= 200 && status < 300) return { ok: true, status, body: body as T };
  const message = displayMessage(isRecord(body) ? body.message : undefined, status);
  const fieldErrors = isRecord(body) ? stringRecord(body.fieldErrors) : undefined;
  const code = isRecord(body) && typeof body.code === 'string' && body.code !== '' ? body.code : undefined;
  return { ok: false, status, message, ...(fieldErrors ? { fieldErrors } : {}), ...(code ? { code } : {}) };
}

/** Parses a response text that may be empty (204) or not JSON. */
export function parseBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Accepts dialog custom data only when it has the expected shape. */
export function toDialogData(value: unknown): DialogData | null {
  if (!isRecord(value)) return null;
  const { linkedAccountId, accountName, targetType, suggestFrom } = value;
  if (typeof linkedAccountId !== 'string' || linkedAccountId === '') return null;
  const data: DialogData = {
    linkedAccountId,
    accountName: typeof accountName === 'string' ? accountName : '',
    targetType: targetType === 'atlassian-organization' ? 'atlassian-organization' : 'bitbucket-workspace',
  };
  if (typeof suggestFrom === 'string' && suggestFrom !== '') data.suggestFrom = suggestFrom;
  return data;
}

/** Escapes text for hosts that render a string as HTML (Connect's flag body). */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

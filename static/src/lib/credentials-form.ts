// The "Link Bitbucket Cloud account" / "Update credentials" form: values, validation, payload.
import type { CredentialType, Credentials } from '../api/types';

export type CredentialField = 'workspace' | 'key' | 'secret' | 'email' | 'token';

export interface CredentialsFormValues {
  workspace: string;
  type: CredentialType;
  key: string;
  secret: string;
  email: string;
  token: string;
}

export type FieldErrors = Partial<Record<CredentialField, string>>;

export const WORKSPACE_PATTERN = /^[a-z0-9_-]+$/i;
export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The server's limits (src/entry/api/schemas.ts); the inputs stop there and the messages match its words. */
export const MAX_LENGTH: Record<CredentialField, number> = { workspace: 62, key: 200, secret: 500, email: 320, token: 2000 };

const FIELD_NAMES: Record<CredentialField, string> = {
  workspace: 'The workspace ID',
  key: 'The OAuth consumer key',
  secret: 'The OAuth consumer secret',
  email: 'The email address',
  token: 'The API token',
};

/** A null character or half a surrogate pair: the server cannot store either (a paste can bring them). */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const MESSAGES = {
  workspaceMissing: 'Enter the workspace ID.',
  workspacePattern: 'The workspace ID can only have letters, numbers, dashes and underscores, as in bitbucket.org/your-workspace.',
  keyMissing: 'Enter the OAuth consumer key.',
  secretMissing: 'Enter the OAuth consumer secret.',
  emailMissing: 'Enter the email address of the Atlassian account that owns the token.',
  emailInvalid: 'Enter a valid email address, like name@example.com.',
  tokenMissing: 'Enter the API token.',
  tooLong: (field: CredentialField) => `${FIELD_NAMES[field]} is too long: use at most ${MAX_LENGTH[field]} characters.`,
  unstorable: (field: CredentialField) =>
    `${FIELD_NAMES[field]} contains a character that cannot be stored (a null character or a malformed Unicode character).`,
};

export function emptyCredentialsForm(workspace = ''): CredentialsFormValues {
  return { workspace, type: 'oauth-consumer', key: '', secret: '', email: '', token: '' };
}

/** The problem every field can have: characters the server refuses, or more than it accepts. */
function textProblem(field: CredentialField, value: string): string | undefined {
  if (UNSTORABLE.test(value)) return MESSAGES.unstorable(field);
  if (value.length > MAX_LENGTH[field]) return MESSAGES.tooLong(field);
  return undefined;
}

export function validateCredentialsForm(values: CredentialsFormValues): FieldErrors {
  const errors: FieldErrors = {};
  const check = (field: CredentialField, missing: string, format?: { test: (value: string) => boolean; message: string }) => {
    const value = values[field].trim();
    const problem = value === '' ? missing : (textProblem(field, value) ?? (format && !format.test(value) ? format.message : undefined));
    if (problem) errors[field] = problem;
  };
  check('workspace', MESSAGES.workspaceMissing, { test: (v) => WORKSPACE_PATTERN.test(v), message: MESSAGES.workspacePattern });
  if (values.type === 'oauth-consumer') {
    check('key', MESSAGES.keyMissing);
    check('secret', MESSAGES.secretMissing);
  } else {
    check('email', MESSAGES.emailMissing, { test: (v) => EMAIL_PATTERN.test(v), message: MESSAGES.emailInvalid });
    check('token', MESSAGES.tokenMissing);
  }
  return errors;
}

export function hasErrors(errors: FieldErrors): boolean {
  return Object.values(errors).some(Boolean);
}

/** The normalised workspace slug sent to the server (Bitbucket slugs are lower case). */
export function workspaceSlug(values: CredentialsFormValues): string {
  return values.workspace.trim().toLowerCase();
}

export function toCredentials(values: CredentialsFormValues): Credentials {
  return values.type === 'oauth-consumer'
    ? { type: 'oauth-consumer', key: values.key.trim(), secret: values.secret.trim() }
    : { type: 'api-token', email: values.email.trim(), token: values.token.trim() };
}

const SERVER_FIELD_KEYS: Record<string, CredentialField> = {
  workspace: 'workspace',
  'credentials.key': 'key',
  'credentials.secret': 'secret',
  'credentials.email': 'email',
  'credentials.token': 'token',
};

/** Splits the server's fieldErrors into errors shown next to fields and the rest. */
export function mapServerFieldErrors(fieldErrors: Record<string, string> | undefined): {
  fields: FieldErrors;
  other: string[];
} {
  const fields: FieldErrors = {};
  const other: string[] = [];
  for (const [key, message] of Object.entries(fieldErrors ?? {})) {
    const field = SERVER_FIELD_KEYS[key];
    if (field) fields[field] = message;
    else other.push(message);
  }
  return { fields, other };
}

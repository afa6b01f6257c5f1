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

export function emptyCredentialsForm(workspace = ''): CredentialsFormValues {
  return { workspace, type: 'oauth-consumer', key: '', secret: '', email: '', token: '' };
}

export function validateCredentialsForm(values: CredentialsFormValues): FieldErrors {
  const errors: FieldErrors = {};
  const workspace = values.workspace.trim();
  if (workspace === '') errors.workspace = 'Enter the workspace slug.';
  else if (!WORKSPACE_PATTERN.test(workspace))
    errors.workspace = 'Use only letters, numbers, dashes and underscores, as in bitbucket.org/your-workspace.';
  if (values.type === 'oauth-consumer') {
    if (values.key.trim() === '') errors.key = 'Enter the OAuth consumer key.';
    if (values.secret.trim() === '') errors.secret = 'Enter the OAuth consumer secret.';
  } else {
    const email = values.email.trim();
    if (email === '') errors.email = 'Enter the email address of the Atlassian account.';
    else if (!EMAIL_PATTERN.test(email)) errors.email = 'Enter a valid email address, like name@example.com.';
    if (values.token.trim() === '') errors.token = 'Enter the API token.';
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

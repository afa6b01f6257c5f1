// The "Link account" / "Update credentials" form: values, validation, payload.
import type { Credentials, DiscoveredOrganization, LinkRequest, TargetType, WorkspaceCredentials } from '../api/types';

export type CredentialField = 'workspace' | 'key' | 'secret' | 'email' | 'token' | 'apiKey' | 'organization' | 'directory';
/** The fields the admin types into (the organization and directory are chosen from a list). */
type TextField = Exclude<CredentialField, 'organization' | 'directory'>;

export interface CredentialsFormValues {
  target: TargetType;
  workspace: string;
  type: WorkspaceCredentials['type'];
  key: string;
  secret: string;
  email: string;
  token: string;
  apiKey: string;
  organizationId: string;
  directoryId: string;
}

export type FieldErrors = Partial<Record<CredentialField, string>>;

/** Linking asks for everything; updating the credentials of a linked account asks for new credentials only. */
export type FormPurpose = 'link' | 'update';

export const WORKSPACE_PATTERN = /^[a-z0-9_-]+$/i;
export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The server's limits (src/entry/api/schemas.ts); the inputs stop there and the messages match its words. */
export const MAX_LENGTH: Record<TextField, number> = { workspace: 62, key: 200, secret: 500, email: 320, token: 2000, apiKey: 2000 };

const FIELD_NAMES: Record<TextField, string> = {
  workspace: 'The workspace ID',
  key: 'The OAuth consumer key',
  secret: 'The OAuth consumer secret',
  email: 'The email address',
  token: 'The API token',
  apiKey: 'The API key',
};

/** A null character or half a surrogate pair: the server cannot store either (a paste can bring them). */
// eslint-disable-next-line no-control-regex -- the null character is exactly what this looks for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const MESSAGES = {
  workspaceMissing: 'Enter the workspace ID.',
  workspacePattern: 'The workspace ID can only have letters, numbers, dashes and underscores, as in bitbucket.org/your-workspace.',
  keyMissing: 'Enter the OAuth consumer key.',
  secretMissing: 'Enter the OAuth consumer secret.',
  emailMissing: 'Enter the email address of the Atlassian account that owns the token.',
  emailInvalid: 'Enter a valid email address, like name@example.com.',
  tokenMissing: 'Enter the API token.',
  apiKeyMissing: 'Enter the organization API key.',
  organizationMissing: 'Choose the organization to link.',
  directoryMissing: 'Choose the directory whose users join the groups.',
  noOrganization:
    'This API key sees no organization. Use an organization API key, created in admin.atlassian.com → Settings → API keys by an organization admin.',
  noDirectory: 'This API key sees no directory in this organization. Choose another organization, or use a key of an admin of this one.',
  tooLong: (field: TextField) => `${FIELD_NAMES[field]} is too long: use at most ${MAX_LENGTH[field]} characters.`,
  unstorable: (field: TextField) =>
    `${FIELD_NAMES[field]} contains a character that cannot be stored (a null character or a malformed Unicode character).`,
};

export function emptyCredentialsForm(workspace = '', target: TargetType = 'bitbucket-workspace'): CredentialsFormValues {
  return { target, workspace, type: 'oauth-consumer', key: '', secret: '', email: '', token: '', apiKey: '', organizationId: '', directoryId: '' };
}

/** The problem every field can have: characters the server refuses, or more than it accepts. */
function textProblem(field: TextField, value: string): string | undefined {
  if (UNSTORABLE.test(value)) return MESSAGES.unstorable(field);
  if (value.length > MAX_LENGTH[field]) return MESSAGES.tooLong(field);
  return undefined;
}

/** What is wrong with the API key alone: checked before asking which organizations it sees, too. */
export function validateApiKey(apiKey: string): string | undefined {
  const value = apiKey.trim();
  return value === '' ? MESSAGES.apiKeyMissing : textProblem('apiKey', value);
}

/**
 * `discovered` is what Find organizations found for the key now in the form (null when it has not
 * been asked, or the key changed since): an organization can only be linked from that list, so a
 * form without it asks for the list first (see needsDiscovery) and has no organization to check.
 */
export function validateCredentialsForm(
  values: CredentialsFormValues,
  purpose: FormPurpose = 'link',
  discovered: DiscoveredOrganization[] | null = null,
): FieldErrors {
  const errors: FieldErrors = {};
  const check = (field: TextField, missing: string, format?: { test: (value: string) => boolean; message: string }) => {
    const value = values[field].trim();
    const problem = value === '' ? missing : (textProblem(field, value) ?? (format && !format.test(value) ? format.message : undefined));
    if (problem) errors[field] = problem;
  };
  if (values.target === 'atlassian-organization') {
    const apiKey = validateApiKey(values.apiKey);
    if (apiKey) errors.apiKey = apiKey;
    if (purpose === 'link') Object.assign(errors, organizationErrors(values, discovered, apiKey === undefined));
    return errors;
  }
  if (purpose === 'link') {
    check('workspace', MESSAGES.workspaceMissing, { test: (v) => WORKSPACE_PATTERN.test(v), message: MESSAGES.workspacePattern });
  }
  if (values.type === 'oauth-consumer') {
    check('key', MESSAGES.keyMissing);
    check('secret', MESSAGES.secretMissing);
  } else {
    check('email', MESSAGES.emailMissing, { test: (v) => EMAIL_PATTERN.test(v), message: MESSAGES.emailInvalid });
    check('token', MESSAGES.tokenMissing);
  }
  return errors;
}

function organizationErrors(values: CredentialsFormValues, discovered: DiscoveredOrganization[] | null, keyValid: boolean): FieldErrors {
  if (discovered === null || !keyValid) return {};
  if (discovered.length === 0) return { apiKey: MESSAGES.noOrganization };
  const organization = discovered.find((org) => org.id === values.organizationId);
  if (!organization) return { organization: MESSAGES.organizationMissing };
  if (organization.directories.length === 0) return { organization: MESSAGES.noDirectory };
  if (!organization.directories.some((d) => d.id === values.directoryId)) return { directory: MESSAGES.directoryMissing };
  return {};
}

/** What Find organizations found, for the key it was asked with. */
export interface Discovery {
  apiKey: string;
  organizations: DiscoveredOrganization[];
}

/** The organizations found for the key now in the form: null when none were asked for it (it changed since). */
export function discoveredFor(values: CredentialsFormValues, discovery: Discovery | null): DiscoveredOrganization[] | null {
  return discovery !== null && discovery.apiKey === values.apiKey.trim() ? discovery.organizations : null;
}

/** Linking an organization starts by asking which organizations the key sees; a changed key asks again. */
export function needsDiscovery(values: CredentialsFormValues, purpose: FormPurpose, discovered: DiscoveredOrganization[] | null): boolean {
  return values.target === 'atlassian-organization' && purpose === 'link' && discovered === null;
}

export function hasErrors(errors: FieldErrors): boolean {
  return Object.values(errors).some(Boolean);
}

/**
 * Chooses an organization from what the key sees, and its directory when it has only one.
 * With a single organization, that one is chosen at once (`organizationId` undefined).
 */
export function chooseOrganization(
  values: CredentialsFormValues,
  discovered: DiscoveredOrganization[],
  organizationId?: string,
): CredentialsFormValues {
  const id = organizationId ?? (discovered.length === 1 ? discovered[0]!.id : '');
  const organization = discovered.find((org) => org.id === id);
  const directories = organization?.directories ?? [];
  return { ...values, organizationId: organization ? id : '', directoryId: directories.length === 1 ? directories[0]!.id : '' };
}

/** The normalised workspace slug sent to the server (Bitbucket slugs are lower case). */
export function workspaceSlug(values: CredentialsFormValues): string {
  return values.workspace.trim().toLowerCase();
}

function workspaceCredentials(values: CredentialsFormValues): WorkspaceCredentials {
  return values.type === 'oauth-consumer'
    ? { type: 'oauth-consumer', key: values.key.trim(), secret: values.secret.trim() }
    : { type: 'api-token', email: values.email.trim(), token: values.token.trim() };
}

export function toCredentials(values: CredentialsFormValues): Credentials {
  return values.target === 'atlassian-organization' ? { type: 'organization-api-key', apiKey: values.apiKey.trim() } : workspaceCredentials(values);
}

export function toLinkRequest(values: CredentialsFormValues): LinkRequest {
  if (values.target === 'atlassian-organization') {
    return {
      targetType: 'atlassian-organization',
      organizationId: values.organizationId,
      directoryId: values.directoryId,
      credentials: { type: 'organization-api-key', apiKey: values.apiKey.trim() },
    };
  }
  return { targetType: 'bitbucket-workspace', workspace: workspaceSlug(values), credentials: workspaceCredentials(values) };
}

const SERVER_FIELD_KEYS: Record<string, CredentialField> = {
  workspace: 'workspace',
  'credentials.key': 'key',
  'credentials.secret': 'secret',
  'credentials.email': 'email',
  'credentials.token': 'token',
  'credentials.apiKey': 'apiKey',
  // POST /api/organizations/discover names the key at the top level.
  apiKey: 'apiKey',
  organizationId: 'organization',
  directoryId: 'directory',
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

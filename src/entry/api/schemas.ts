import { z } from 'zod';
import type { LinkRequest } from '../../domain/ports.js';
import { storableText } from '../storable-text.js';
import { linkedAccountFilter, pageFields } from './query-fields.js';
import { modeField } from './strategy-schemas.js';

/**
 * Every message below is shown to the admin as is: a sentence about what to change. The admin
 * page's form (static/src/lib/credentials-form.ts) checks the same limits with the same words.
 */

const tooLong = (what: string, max: number) => `${what} is too long: use at most ${max} characters.`;

const oauthConsumer = z.object({
  type: z.literal('oauth-consumer'),
  key: storableText('The OAuth consumer key', 'Enter the OAuth consumer key.')
    .trim()
    .min(1, 'Enter the OAuth consumer key.')
    .max(200, tooLong('The OAuth consumer key', 200)),
  secret: storableText('The OAuth consumer secret', 'Enter the OAuth consumer secret.')
    .trim()
    .min(1, 'Enter the OAuth consumer secret.')
    .max(500, tooLong('The OAuth consumer secret', 500)),
});

const apiToken = z.object({
  type: z.literal('api-token'),
  email: storableText('The email address', 'Enter the email address of the Atlassian account that owns the token.')
    .trim()
    .email('Enter a valid email address, like name@example.com.')
    .max(320, tooLong('The email address', 320)),
  token: storableText('The API token', 'Enter the API token.').trim().min(1, 'Enter the API token.').max(2000, tooLong('The API token', 2000)),
});

/** It travels in an HTTP header, where only visible ASCII fits: anything else cannot be a key Atlassian issued. */
const apiKey = storableText('The API key', 'Enter the organization API key.')
  .trim()
  .min(1, 'Enter the organization API key.')
  .max(2000, tooLong('The API key', 2000))
  .regex(/^[\x21-\x7e]+$/, 'The API key has characters no API key has: paste it again exactly as Atlassian Administration showed it.');

const organizationApiKey = z.object({ type: z.literal('organization-api-key'), apiKey });

const credentials = z.discriminatedUnion('type', [oauthConsumer, apiToken], {
  error: (issue) =>
    issue.input === undefined
      ? 'Enter the Bitbucket credentials: an OAuth consumer or an API token.'
      : 'Choose a credential type: "oauth-consumer" or "api-token".',
});

const anyCredentials = z.discriminatedUnion('type', [oauthConsumer, apiToken, organizationApiKey], {
  error: (issue) =>
    issue.input === undefined
      ? 'Enter the new credentials.'
      : 'Choose a credential type: "oauth-consumer" or "api-token" for a workspace, "organization-api-key" for an organization.',
});

const jsonObject = { error: 'The request body must be a JSON object.' };

/** Atlassian's organization and directory ids: uuids, or at least nothing that would change the path they go into. */
const atlassianId = (what: string, missing: string) =>
  storableText(what, missing)
    .trim()
    .min(1, missing)
    .max(100, tooLong(what, 100))
    .regex(/^[A-Za-z0-9._:-]+$/, `${what} can only have letters, numbers, dots, colons, dashes and underscores.`);

const workspaceLink = z.object(
  {
    targetType: z.literal('bitbucket-workspace').optional(),
    workspace: storableText('The workspace ID', 'Enter the workspace ID.')
      .trim()
      .min(1, 'Enter the workspace ID.')
      .max(62, tooLong('The workspace ID', 62))
      .regex(/^[A-Za-z0-9_-]+$/, 'The workspace ID can only have letters, numbers, dashes and underscores, as in bitbucket.org/your-workspace.'),
    credentials,
  },
  jsonObject,
);

const organizationLink = z.object(
  {
    targetType: z.literal('atlassian-organization'),
    organizationId: atlassianId('The organization ID', 'Choose the organization.'),
    directoryId: atlassianId('The directory ID', 'Choose the directory.'),
    credentials: z.object(
      {
        type: z.literal('organization-api-key', {
          error: 'An organization takes an organization API key: credentials of type "organization-api-key".',
        }),
        apiKey,
      },
      {
        error: (issue) =>
          issue.input === undefined ? 'Enter the organization API key.' : 'The credentials must be an object with "type" and "apiKey".',
      },
    ),
  },
  jsonObject,
);

/** A workspace (the target type may be left out, as before organizations) or an organization's directory. */
export const linkAccountBody = z
  .discriminatedUnion('targetType', [workspaceLink, organizationLink], {
    error: (issue) =>
      issue.code === 'invalid_union'
        ? 'Choose a target type: "bitbucket-workspace" or "atlassian-organization".'
        : 'The request body must be a JSON object.',
  })
  .transform((body): LinkRequest => (body.targetType === 'atlassian-organization' ? body : { ...body, targetType: 'bitbucket-workspace' }));

export const discoverOrganizationsBody = z.object({ apiKey }, jsonObject);

export const updateCredentialsBody = z.object({ credentials: anyCredentials }, jsonObject);

export const defaultGroupsBody = z.object(
  {
    groups: z
      .array(
        storableText('A group slug', 'A group slug is missing.')
          .trim()
          .min(1, 'A group slug cannot be empty.')
          .max(200, tooLong('A group slug', 200)),
        {
          error: (issue) =>
            issue.input === undefined
              ? 'Choose the default groups: send "groups", a list of group slugs.'
              : 'The default groups must be a list of group slugs.',
        },
      )
      .max(500, 'Choose at most 500 default groups.'),
    mode: modeField.optional(),
  },
  jsonObject,
);

export const idParam = z.string().uuid('Unknown id.');

const STATUSES = ['pending-review', 'queued', 'sent', 'already-invited', 'skipped', 'failed'] as const;

export const invitationQuery = z.object({
  status: z.enum(STATUSES, { error: `Filter by one of these statuses: ${STATUSES.join(', ')}.` }).optional(),
  linkedAccountId: linkedAccountFilter,
  search: storableText('The search').trim().max(200, tooLong('The search', 200)).optional(),
  ...pageFields,
});

export const groupsQuery = z.object({
  refresh: z.enum(['true', 'false'], { error: 'The refresh flag must be "true" or "false".' }).optional(),
  search: storableText('The search').trim().max(200, tooLong('The search', 200)).optional(),
  cursor: storableText('The page cursor').max(2000, 'The page cursor is not one this app gave out. Search again.').optional(),
});

export const organizationSuggestionQuery = z.object({
  organizationAccountId: z
    .string({
      error: (issue) => (issue.input === undefined ? 'Name the linked organization: organizationAccountId.' : 'Name one linked organization.'),
    })
    .uuid('The organizationAccountId is not a linked account ID.'),
});

export const linkedAccountsQuery = z.object({
  include: z.enum(['unlinked'], { error: 'The only value of "include" is "unlinked".' }).optional(),
});

import { z } from 'zod';
import { storableText } from '../storable-text.js';

/**
 * Every message below is shown to the admin as is: a sentence about what to change. The admin
 * page's form (static/src/lib/credentials-form.ts) checks the same limits with the same words.
 */

const tooLong = (what: string, max: number) => `${what} is too long: use at most ${max} characters.`;

const credentials = z.discriminatedUnion(
  'type',
  [
    z.object({
      type: z.literal('oauth-consumer'),
      key: storableText('The OAuth consumer key', 'Enter the OAuth consumer key.')
        .trim()
        .min(1, 'Enter the OAuth consumer key.')
        .max(200, tooLong('The OAuth consumer key', 200)),
      secret: storableText('The OAuth consumer secret', 'Enter the OAuth consumer secret.')
        .trim()
        .min(1, 'Enter the OAuth consumer secret.')
        .max(500, tooLong('The OAuth consumer secret', 500)),
    }),
    z.object({
      type: z.literal('api-token'),
      email: storableText('The email address', 'Enter the email address of the Atlassian account that owns the token.')
        .trim()
        .email('Enter a valid email address, like name@example.com.')
        .max(320, tooLong('The email address', 320)),
      token: storableText('The API token', 'Enter the API token.').trim().min(1, 'Enter the API token.').max(2000, tooLong('The API token', 2000)),
    }),
  ],
  {
    error: (issue) =>
      issue.input === undefined
        ? 'Enter the Bitbucket credentials: an OAuth consumer or an API token.'
        : 'Choose a credential type: "oauth-consumer" or "api-token".',
  },
);

const jsonObject = { error: 'The request body must be a JSON object.' };

export const linkAccountBody = z.object(
  {
    workspace: storableText('The workspace ID', 'Enter the workspace ID.')
      .trim()
      .min(1, 'Enter the workspace ID.')
      .max(62, tooLong('The workspace ID', 62))
      .regex(/^[A-Za-z0-9_-]+$/, 'The workspace ID can only have letters, numbers, dashes and underscores, as in bitbucket.org/your-workspace.'),
    credentials,
  },
  jsonObject,
);

export const updateCredentialsBody = z.object({ credentials }, jsonObject);

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
  },
  jsonObject,
);

export const idParam = z.string().uuid('Unknown id.');

const STATUSES = ['queued', 'sent', 'already-invited', 'skipped', 'failed'] as const;

export const invitationQuery = z.object({
  status: z.enum(STATUSES, { error: `Filter by one of these statuses: ${STATUSES.join(', ')}.` }).optional(),
  linkedAccountId: z.string({ error: 'Filter by one linked account ID.' }).uuid('The linked account filter is not a linked account ID.').optional(),
  page: z.coerce
    .number({ error: 'The page must be a whole number of 1 or more.' })
    .int('The page must be a whole number of 1 or more.')
    .min(1, 'The page must be a whole number of 1 or more.')
    .default(1),
  pageSize: z.coerce
    .number({ error: 'The page size must be a whole number from 1 to 100.' })
    .int('The page size must be a whole number from 1 to 100.')
    .min(1, 'The page size must be a whole number from 1 to 100.')
    .max(100, 'The page size must be a whole number from 1 to 100.')
    .default(25),
});

export const groupsQuery = z.object({
  refresh: z.enum(['true', 'false'], { error: 'The refresh flag must be "true" or "false".' }).optional(),
});

export const linkedAccountsQuery = z.object({
  include: z.enum(['unlinked'], { error: 'The only value of "include" is "unlinked".' }).optional(),
});

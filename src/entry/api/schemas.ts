import { z } from 'zod';

const credentials = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('oauth-consumer'),
    key: z.string().trim().min(1, 'Enter the OAuth consumer key.').max(200),
    secret: z.string().trim().min(1, 'Enter the OAuth consumer secret.').max(500),
  }),
  z.object({
    type: z.literal('api-token'),
    email: z.string().trim().email('Enter the email address of the Atlassian account that owns the token.').max(320),
    token: z.string().trim().min(1, 'Enter the API token.').max(2000),
  }),
], { error: 'Choose a credential type: "oauth-consumer" or "api-token".' });

export const linkAccountBody = z.object({
  workspace: z
    .string()
    .trim()
    .min(1, 'Enter the workspace ID.')
    .max(62)
    .regex(/^[A-Za-z0-9_-]+$/, 'A workspace ID has only letters, digits, "-" and "_".'),
  credentials,
});

export const updateCredentialsBody = z.object({ credentials });

export const defaultGroupsBody = z.object({
  groups: z.array(z.string().trim().min(1).max(200)).max(500),
});

export const idParam = z.string().uuid('Unknown id.');

export const invitationQuery = z.object({
  status: z.enum(['queued', 'sent', 'already-invited', 'skipped', 'failed']).optional(),
  linkedAccountId: z.string().uuid().optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(25),
});

export const groupsQuery = z.object({
  refresh: z.enum(['true', 'false']).optional(),
});

export const linkedAccountsQuery = z.object({
  include: z.enum(['unlinked'], { error: 'The only value of "include" is "unlinked".' }).optional(),
});

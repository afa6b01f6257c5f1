import { z } from 'zod';
import { linkedAccountFilter, pageFields } from './query-fields.js';

const jsonObject = { error: 'The request body must be a JSON object.' };
const wholeNumber = (what: string, max: number) =>
  z
    .number({ error: `${what} must be a whole number from 0 to ${max}.` })
    .int(`${what} must be a whole number from 0 to ${max}.`)
    .min(0, `${what} must be a whole number from 0 to ${max}.`)
    .max(max, `${what} must be a whole number from 0 to ${max}.`);

export const offboardingBody = z.object(
  {
    mode: z.enum(['keep', 'remove'], {
      error:
        'Choose what happens when Jira deletes or deactivates a user: "keep" their memberships, or "remove" them from the groups this app added.',
    }),
    threshold: wholeNumber('The removal threshold', 10_000).nullable().optional(),
    confirmRemovals: wholeNumber('The number of removals you confirm', 1_000_000).optional(),
  },
  jsonObject,
);

export const confirmRemovalsBody = z.object({ count: wholeNumber('The number of removals you confirm', 1_000_000) }, jsonObject);

const REMOVAL_STATUSES = ['held', 'queued', 'removed', 'not-a-member', 'invitation-pending', 'failed', 'cancelled'] as const;

export const removalQuery = z.object({
  status: z.enum(REMOVAL_STATUSES, { error: `Filter by one of these statuses: ${REMOVAL_STATUSES.join(', ')}.` }).optional(),
  linkedAccountId: linkedAccountFilter,
  ...pageFields,
});

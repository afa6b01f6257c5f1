import { z } from 'zod';
import { MAX_RULES } from '../../domain/group-rules.js';
import { storableText } from '../storable-text.js';
import { linkedAccountFilter } from './query-fields.js';
import { onlyFields, ruleBody } from './strategy-schemas.js';

const jsonObject = { error: 'The request body must be a JSON object.' };

export const previewBody = z.strictObject(
  {
    groups: z
      .array(
        storableText('A group slug').trim().min(1, 'A group slug cannot be empty.').max(200, 'A group slug is too long: use at most 200 characters.'),
        {
          error: 'The groups to preview must be a list of group slugs.',
        },
      )
      .max(500, 'Preview at most 500 groups.')
      .optional(),
    /** The whole list of rules to try, in order, each checked exactly as saving a rule checks it. */
    rules: z
      .array(ruleBody.omit({ position: true }), { error: 'The rules to preview must be a list of rules.' })
      .max(MAX_RULES, `Preview at most ${MAX_RULES} rules.`)
      .optional(),
  },
  onlyFields('"groups" and "rules"'),
);

const count = (what: string) =>
  z
    .number({
      error: (issue) =>
        issue.input === undefined ? `Confirm the number of ${what}: send "count".` : `The number of ${what} must be a whole number.`,
    })
    .int(`The number of ${what} must be a whole number.`)
    .min(0, `The number of ${what} cannot be negative.`);

export const confirmBody = z.object({ count: count('invitations to send') }, jsonObject);

export const backfillsQuery = z.object({ linkedAccountId: linkedAccountFilter });

export const retryFailedBody = z.object(
  {
    linkedAccountId: linkedAccountFilter,
    search: storableText('The search').trim().max(200, 'The search is too long: use at most 200 characters.').optional(),
    count: count('failed invitations to retry'),
  },
  jsonObject,
);

const whole = (what: string, max: number) =>
  z.coerce
    .number({ error: `${what} must be a whole number from 1 to ${max}.` })
    .int(`${what} must be a whole number from 1 to ${max}.`)
    .min(1, `${what} must be a whole number from 1 to ${max}.`)
    .max(max, `${what} must be a whole number from 1 to ${max}.`);

export const auditQuery = z.object({
  linkedAccountId: linkedAccountFilter,
  page: whole('The page', 1_000_000).default(1),
  pageSize: whole('The page size', 100).default(25),
});

export const auditExportQuery = z.object({
  linkedAccountId: linkedAccountFilter,
  /** Forge's invokeRemote reads JSON only: there, the page asks for the CSV wrapped in JSON. */
  as: z.enum(['csv', 'json'], { error: 'Ask for the export "as" csv or json.' }).default('csv'),
});

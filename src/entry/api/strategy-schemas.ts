import { z } from 'zod';
import { MAX_RULES, type RuleInput } from '../../domain/group-rules.js';
import { INVITATION_MODES } from '../../domain/model.js';
import { storableText } from '../storable-text.js';
import { linkedAccountFilter, pageFields } from './query-fields.js';

/** The request bodies and queries of invitation strategies: modes, rules, review, Invite someone now. Every message is a sentence for the admin. */

const jsonObject = { error: 'The request body must be a JSON object.' };

/**
 * For a body whose every field is optional: a misspelt field would otherwise be dropped and the
 * request carried out as if it had not been sent (a review's groups, a preview's rules).
 */
export const onlyFields = (fields: string) => ({
  error: (issue: { code: string }) =>
    issue.code === 'unrecognized_keys' ? `The request body takes only ${fields}.` : 'The request body must be a JSON object.',
});

const tooLong = (what: string, max: number) => `${what} is too long: use at most ${max} characters.`;

export const modeField = z.enum(INVITATION_MODES, { error: 'Choose a mode: "automatic", "review" or "off".' });

const groupSlugs = (what: string) =>
  z
    .array(storableText('A group slug').trim().min(1, 'A group slug cannot be empty.').max(200, tooLong('A group slug', 200)), {
      error: `${what} must be a list of group slugs.`,
    })
    .max(500, 'Choose at most 500 groups.');

const names = (what: string, max: number, each: string, none: string) =>
  z
    .array(storableText(each).trim().min(1, `${each} cannot be empty.`).max(max, tooLong(each, max)), { error: `${what} must be a list.` })
    .min(1, none)
    .max(50, `Enter at most 50 in ${what.toLowerCase()}.`);

const condition = z.discriminatedUnion(
  'kind',
  [
    z.object({
      kind: z.literal('email-domain'),
      domains: names('The email domains', 253, 'An email domain', 'Enter at least one email domain.'),
      includeSubdomains: z.boolean({ error: 'Say whether subdomains count: includeSubdomains true or false.' }).default(false),
    }),
    z.object({
      kind: z.literal('account-type'),
      accountTypes: z
        .array(z.enum(['atlassian', 'app', 'customer'], { error: 'An account type is "atlassian", "app" or "customer".' }), {
          error: 'The account types must be a list.',
        })
        .min(1, 'Choose at least one account type.')
        .max(3, 'Choose each account type once: "atlassian", "app" or "customer".'),
    }),
    z.object({ kind: z.literal('jira-group'), groups: names('The Jira groups', 255, 'A Jira group name', 'Enter at least one Jira group.') }),
  ],
  { error: 'Each condition is "email-domain", "account-type" or "jira-group".' },
);

const action = z.discriminatedUnion(
  'kind',
  [
    z.object({ kind: z.literal('invite'), groups: groupSlugs('The groups to invite to').min(1, 'Choose at least one group to invite to.') }),
    z.object({ kind: z.literal('never-invite') }),
  ],
  { error: 'The action is "invite" (with groups) or "never-invite".' },
);

export const ruleBody = z.object(
  {
    name: storableText('The rule name', 'Name the rule.').trim().min(1, 'Name the rule.').max(100, tooLong('The rule name', 100)),
    conditions: z
      .array(condition, { error: 'The conditions must be a list.' })
      .min(1, 'Give the rule at least one condition.')
      .max(10, 'A rule can have at most 10 conditions.'),
    action,
    position: z
      .number({ error: 'The position must be a whole number.' })
      .int('The position must be a whole number.')
      .min(0, 'The position cannot be negative: 0 is the first.')
      .optional(),
  },
  jsonObject,
) satisfies z.ZodType<RuleInput & { position?: number }>;

export const reorderRulesBody = z.object(
  {
    ruleIds: z
      .array(z.string({ error: 'A rule id is not valid.' }).uuid('A rule id is not valid.'), {
        error: 'Send "ruleIds", the rules in their new order.',
      })
      .max(MAX_RULES, `A linked account has at most ${MAX_RULES} rules.`),
  },
  jsonObject,
);

export const pendingReviewQuery = z.object({
  linkedAccountId: linkedAccountFilter,
  ...pageFields,
});

export const jiraAccountIdParam = storableText('The Jira account ID')
  .trim()
  .min(1, 'Name the Jira user by account ID.')
  .max(128, tooLong('The Jira account ID', 128));

export const sendFromReviewBody = z
  .strictObject({ groups: groupSlugs('The groups').optional() }, onlyFields('"groups"'))
  .optional()
  .transform((body) => body ?? {});

export const userSearchQuery = z.object({
  query: storableText('The search', 'Type part of a name or an email address to search.')
    .trim()
    .min(1, 'Type part of a name or an email address to search.')
    .max(200, tooLong('The search', 200)),
});

export const manualInviteBody = z.object(
  {
    accountIds: z
      .array(jiraAccountIdParam, { error: 'Choose the Jira users to invite: "accountIds", a list of account IDs.' })
      .min(1, 'Choose at least one Jira user to invite.')
      .max(50, 'Invite at most 50 users at once.'),
    targets: z
      .array(
        z.object(
          {
            linkedAccountId: z.string({ error: 'Each target names a linked account ID.' }).uuid('A target is not a linked account ID.'),
            groups: groupSlugs('The groups of a target'),
          },
          { error: 'Each target is {"linkedAccountId", "groups"}.' },
        ),
        { error: 'Choose the groups: "targets", a list of linked accounts with their groups.' },
      )
      .min(1, 'Choose at least one linked account and its groups.')
      .max(50, 'Choose at most 50 linked accounts.'),
  },
  jsonObject,
);

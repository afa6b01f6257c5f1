import { z } from 'zod';
import type { NewUser } from '../domain/model.js';
import { storableText } from './storable-text.js';

/** The user in Jira's user-created payloads, the same through a Connect webhook and a Forge event. */
export const jiraUserSchema = z.object(
  {
    accountId: storableText("The user's account ID", 'The event names no user account ID.')
      .trim()
      .min(1, "The user's account ID is empty.")
      .max(128, "The user's account ID is too long: the app accepts at most 128 characters."),
    displayName: storableText("The user's display name", "The user's display name is missing.")
      .max(500, "The user's display name is too long: the app accepts at most 500 characters.")
      .nullish(),
    // Often absent: Jira leaves it out when the user's profile hides it.
    emailAddress: z.string().trim().email().max(320).nullish().catch(null),
    accountType: storableText("The user's account type", "The user's account type is missing.")
      .max(50, "The user's account type is too long: the app accepts at most 50 characters.")
      .nullish(),
  },
  { error: (issue) => (issue.input === undefined ? 'The event names no user.' : "The event's user must be a JSON object.") },
);

export function toNewUser(user: z.infer<typeof jiraUserSchema>): NewUser {
  return {
    accountId: user.accountId,
    displayName: user.displayName ?? null,
    email: user.emailAddress ?? null,
    accountType: user.accountType ?? null,
  };
}

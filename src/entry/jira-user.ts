import { z } from 'zod';
import type { NewUser } from '../domain/model.js';

/** The user in Jira's user-created payloads, the same through a Connect webhook and a Forge event. */
export const jiraUserSchema = z.object({
  accountId: z.string().trim().min(1).max(128),
  displayName: z.string().max(500).nullish(),
  // Often absent: Jira leaves it out when the user's profile hides it.
  emailAddress: z.string().trim().email().max(320).nullish().catch(null),
  accountType: z.string().max(50).nullish(),
});

export function toNewUser(user: z.infer<typeof jiraUserSchema>): NewUser {
  return {
    accountId: user.accountId,
    displayName: user.displayName ?? null,
    email: user.emailAddress ?? null,
    accountType: user.accountType ?? null,
  };
}

import { z } from 'zod';
import { TargetError } from '../../domain/errors.js';
import type { AdminResponse } from './classify-failure.js';

/**
 * The Admin API's answers, as far as this app reads them. `z.object` drops every field not named
 * here, so Atlassian may add fields freely; a missing or mistyped field that is named fails loudly.
 */

const PageLinks = z.object({ next: z.string().nullish() }).nullish();

/** `GET /admin/v1/orgs`: JSON:API style, the name under `attributes`. */
export const OrganizationPage = z.object({
  data: z.array(z.object({ id: z.string().min(1), attributes: z.object({ name: z.string().nullish() }).nullish() })).nullish(),
  links: PageLinks,
});

/** `GET /admin/v2/orgs/{orgId}/directories`. */
export const DirectoryPage = z.object({
  data: z.array(z.object({ directoryId: z.string().min(1), name: z.string().nullish() })).nullish(),
  links: PageLinks,
});

/** `POST /admin/v2/orgs/{orgId}/directories/{directoryId}/groups/search`; `data` is required there. */
export const GroupSearchPage = z.object({
  data: z.array(
    z.object({
      id: z.string().min(1),
      name: z.string().nullish(),
      description: z.string().nullish(),
      externalSynced: z.boolean().nullish(),
      managedBy: z.string().nullish(),
      counts: z.object({ users: z.number().int().nonnegative().nullish() }).nullish(),
    }),
  ),
  links: PageLinks,
});

export function parseAnswer<T>(schema: z.ZodType<T>, response: AdminResponse, action: string): T {
  let json: unknown;
  try {
    json = JSON.parse(response.body);
  } catch {
    throw new TargetError(
      'rejected',
      `${action} failed: Atlassian Administration did not answer with JSON (HTTP ${response.status}).`,
      response.status,
    );
  }
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? `at "${issue.path.join('.')}"` : 'at the top level';
  throw new TargetError(
    'rejected',
    `${action} failed: Atlassian Administration answered in a shape this app does not know (unexpected value ${where}).`,
    response.status,
  );
}

import { TargetError } from '../../domain/errors.js';
import type { TargetGroup } from '../../domain/model.js';

/**
 * `GET /1.0/groups/{workspace}` answers a bare JSON array. Only slug and name matter here;
 * every other field (members, owner, permission...) is ignored so Bitbucket may add or drop them.
 */
export function parseGroups(body: string, action: string, status: number): TargetGroup[] {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  if (!Array.isArray(json)) {
    throw new TargetError('rejected', `${action} failed: Bitbucket did not answer with a list of groups.`, status);
  }
  const groups = json.flatMap((item: unknown): TargetGroup[] => {
    if (typeof item !== 'object' || item === null) return [];
    const { slug, name } = item as { slug?: unknown; name?: unknown };
    if (typeof slug !== 'string' || slug === '') return [];
    return [{ slug, name: typeof name === 'string' && name !== '' ? name : slug }];
  });
  return groups.sort((a, b) => a.name.localeCompare(b.name, 'en') || a.slug.localeCompare(b.slug, 'en'));
}

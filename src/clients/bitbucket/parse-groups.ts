import { TargetError } from '../../domain/errors.js';
import type { TargetGroup } from '../../domain/model.js';
import { isStorableText, withoutUnstorable } from '../../domain/storable-text.js';

/**
 * `GET /1.0/groups/{workspace}` answers a bare JSON array. Only slug and name matter here;
 * every other field (members, owner, permission...) is ignored so Bitbucket may add or drop them.
 * Text the database cannot store never gets through: a group whose slug has such a character
 * cannot be named in an invitation either, so it is left out; a name only loses the characters.
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
    if (typeof slug !== 'string' || slug === '' || !isStorableText(slug)) return [];
    const shown = typeof name === 'string' ? withoutUnstorable(name) : '';
    return [{ slug, name: shown !== '' ? shown : slug }];
  });
  return groups.sort((a, b) => a.name.localeCompare(b.name, 'en') || a.slug.localeCompare(b.slug, 'en'));
}

/**
 * The members of one group in the same listing, as account ids. UNCERTAIN (CONTRACTS §4): the 1.0
 * listing's member objects are not documented field by field; `account_id` is read, with `uuid`
 * as a fallback. Null when the group is not in the listing (removed meanwhile).
 */
export function parseGroupMembers(body: string, groupSlug: string, action: string, status: number): string[] | null {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  if (!Array.isArray(json)) throw new TargetError('rejected', `${action} failed: Bitbucket did not answer with a list of groups.`, status);
  const group = json.find((item: unknown) => typeof item === 'object' && item !== null && (item as { slug?: unknown }).slug === groupSlug) as
    { members?: unknown } | undefined;
  if (!group) return null;
  const members = Array.isArray(group.members) ? group.members : [];
  return members.flatMap((member: unknown) => {
    if (typeof member !== 'object' || member === null) return [];
    const { account_id: accountId, uuid } = member as { account_id?: unknown; uuid?: unknown };
    return [accountId, uuid].filter((id): id is string => typeof id === 'string' && id !== '');
  });
}

// What the "Configure automatic access" dialog keeps while the admin searches and pages through
// groups: the ticked groups (kept whatever the list on screen shows) and the pages of one search.
import type { Group, GroupChoice, GroupList, GroupRef, UnavailableReason } from '../api/types';

/** The ticked groups by slug, in the order they were ticked, each with its name for when it is not in the list on screen. */
export type GroupSelection = ReadonlyMap<string, GroupRef>;

const UNAVAILABLE_TEXT: Record<UnavailableReason, string> = {
  'synced-group': 'Synced from your identity provider: change it there.',
  'admin-group': 'Grants organization admin rights: not offered.',
};

/** Why the group cannot be ticked, as a sentence; null when it can. */
export function unavailableText(group: GroupChoice): string | null {
  if (!group.unavailableReason) return null;
  return UNAVAILABLE_TEXT[group.unavailableReason] ?? 'Cannot be chosen here.';
}

export function isSelectable(group: GroupChoice): boolean {
  return unavailableText(group) === null;
}

export function selectionOf(groups: readonly GroupRef[]): GroupSelection {
  return new Map(groups.map((group) => [group.slug, { slug: group.slug, name: group.name }]));
}

/** Ticks `groups` too (a suggestion), leaving out those that cannot be ticked. */
export function withGroups(selection: GroupSelection, groups: readonly GroupChoice[]): GroupSelection {
  const next = new Map(selection);
  for (const group of groups) if (isSelectable(group) && !next.has(group.slug)) next.set(group.slug, { slug: group.slug, name: group.name });
  return next;
}

/** Ticks or unticks one group; a group that cannot be ticked stays unticked, but one ticked before can still be unticked. */
export function toggleGroup(selection: GroupSelection, group: GroupChoice, on: boolean): GroupSelection {
  if (on === selection.has(group.slug) || (on && !isSelectable(group))) return selection;
  const next = new Map(selection);
  if (on) next.set(group.slug, { slug: group.slug, name: group.name });
  else next.delete(group.slug);
  return next;
}

/** The ticked groups that the list on screen does not show (another search, a later page, a filter). */
export function selectedElsewhere(selection: GroupSelection, shown: readonly GroupChoice[]): GroupRef[] {
  const slugs = new Set(shown.map((group) => group.slug));
  return [...selection.values()].filter((group) => !slugs.has(group.slug));
}

/** What Save sends: in the order of `order` when given (a workspace's whole list), else in the order ticked. */
export function slugsToSave(selection: GroupSelection, order?: readonly GroupRef[]): string[] {
  if (!order) return [...selection.keys()];
  return order.map((group) => group.slug).filter((slug) => selection.has(slug));
}

/** A workspace's groups whose name or slug contains `query` (case-insensitive); all of them for an empty query. */
export function filterGroups<G extends GroupRef>(groups: readonly G[], query: string): G[] {
  const needle = query.trim().toLowerCase();
  if (needle === '') return [...groups];
  return groups.filter((group) => group.name.toLowerCase().includes(needle) || group.slug.toLowerCase().includes(needle));
}

/** "12 members" (and nothing when the API did not say). */
export function memberCountText(group: GroupChoice): string | null {
  if (typeof group.memberCount !== 'number') return null;
  return `${new Intl.NumberFormat('en').format(group.memberCount)} ${group.memberCount === 1 ? 'member' : 'members'}`;
}

// --- the pages of one organization search ------------------------------------------------------

export interface GroupSearchState {
  /** The search these groups answer ('' for all groups). */
  search: string;
  groups: Group[];
  nextCursor: string | null;
  /** What is being asked: the first page of `search`, or its next page. */
  loading: 'first' | 'more' | null;
  /** Why the last request failed, and which it was (to ask it again). */
  error: { message: string; during: 'first' | 'more' } | null;
  /** The request whose answer is awaited; an answer to any other (an earlier search) is dropped. */
  request: number;
}

export type GroupSearchAction =
  | { type: 'search'; search: string; request: number }
  | { type: 'more'; request: number }
  | { type: 'answered'; request: number; page: GroupList }
  | { type: 'failed'; request: number; message: string };

export const INITIAL_GROUP_SEARCH: GroupSearchState = { search: '', groups: [], nextCursor: null, loading: 'first', error: null, request: 0 };

export function groupSearchReducer(state: GroupSearchState, action: GroupSearchAction): GroupSearchState {
  switch (action.type) {
    case 'search':
      // The previous results stay on screen (dimmed) until the new ones come.
      return { ...state, search: action.search, loading: 'first', error: null, request: action.request };
    case 'more':
      return { ...state, loading: 'more', error: null, request: action.request };
    case 'answered': {
      if (action.request !== state.request) return state;
      const groups = state.loading === 'more' ? appendPage(state.groups, action.page.groups) : action.page.groups;
      return { ...state, groups, nextCursor: action.page.nextCursor ?? null, loading: null, error: null };
    }
    case 'failed':
      if (action.request !== state.request) return state;
      return { ...state, loading: null, error: { message: action.message, during: state.loading ?? 'first' } };
  }
}

/** A next page after the previous ones; a group already listed (the list changed between pages) is not listed twice. */
function appendPage(groups: readonly Group[], page: readonly Group[]): Group[] {
  const seen = new Set(groups.map((group) => group.slug));
  return [...groups, ...page.filter((group) => !seen.has(group.slug))];
}

import { describe, expect, it } from 'vitest';
import type { Group, GroupList } from '../api/types';
import {
  INITIAL_GROUP_SEARCH,
  filterGroups,
  groupSearchReducer,
  isSelectable,
  memberCountText,
  selectedElsewhere,
  selectionOf,
  slugsToSave,
  toggleGroup,
  unavailableText,
  withGroups,
  type GroupSearchState,
} from './group-selection';

const group = (slug: string, name: string, extra: Partial<Group> = {}): Group => ({ slug, name, selected: false, ...extra });
const developers = group('g-dev', 'developers', { description: 'Everyone who writes code', memberCount: 12 });
const qa = group('g-qa', 'qa');
const designers = group('g-design', 'designers');
const synced = group('g-okta', 'okta-engineering', { unavailableReason: 'synced-group' });
const admins = group('g-admins', 'org-admins', { unavailableReason: 'admin-group' });

const page = (groups: Group[], nextCursor: string | null = null): GroupList => ({ groups, nextCursor, refreshedAt: null });

describe('the groups ticked in the dialog', () => {
  it('keeps a ticked group while another search or page shows other groups, and lists it as selected elsewhere', () => {
    let selection = selectionOf([]);
    selection = toggleGroup(selection, developers, true);
    // The admin searches "qa": developers is no longer on screen, still ticked.
    const shown = [qa];
    selection = toggleGroup(selection, qa, true);
    expect([...selection.keys()]).toEqual(['g-dev', 'g-qa']);
    expect(selectedElsewhere(selection, shown)).toEqual([{ slug: 'g-dev', name: 'developers' }]);
    // Back to all groups: nothing is listed twice.
    expect(selectedElsewhere(selection, [developers, qa, designers])).toEqual([]);
  });

  it('unticks a group from the list of groups selected elsewhere', () => {
    const selection = toggleGroup(selectionOf([developers, qa]), { slug: 'g-dev', name: 'developers' }, false);
    expect(slugsToSave(selection)).toEqual(['g-qa']);
  });

  it('starts from the saved groups, which may be on no page on screen', () => {
    const selection = selectionOf([
      { slug: 'g-old', name: 'release-managers' },
      { slug: 'g-dev', name: 'developers' },
    ]);
    expect(selectedElsewhere(selection, [developers, qa])).toEqual([{ slug: 'g-old', name: 'release-managers' }]);
  });

  it('never ticks a synced group or an admin group, and says why in a sentence', () => {
    const selection = toggleGroup(toggleGroup(selectionOf([]), synced, true), admins, true);
    expect(selection.size).toBe(0);
    expect(isSelectable(synced)).toBe(false);
    expect(isSelectable(developers)).toBe(true);
    expect(unavailableText(synced)).toBe('Synced from your identity provider: change it there.');
    expect(unavailableText(admins)).toBe('Grants organization admin rights: not offered.');
    expect(unavailableText(developers)).toBeNull();
  });

  it('still unticks a group saved before it became unavailable', () => {
    const selection = selectionOf([synced]);
    expect(toggleGroup(selection, synced, false).size).toBe(0);
  });

  it('adds the suggested groups to the saved ones, leaving out those that cannot be ticked', () => {
    const selection = withGroups(selectionOf([designers]), [developers, synced, designers]);
    expect([...selection.keys()]).toEqual(['g-design', 'g-dev']);
  });

  it("saves in the workspace's order when given, else in the order ticked", () => {
    let selection = selectionOf([]);
    selection = toggleGroup(selection, designers, true);
    selection = toggleGroup(selection, developers, true);
    expect(slugsToSave(selection)).toEqual(['g-design', 'g-dev']);
    expect(slugsToSave(selection, [developers, qa, designers])).toEqual(['g-dev', 'g-design']);
  });

  it("filters a workspace's groups by name or slug, whatever the case", () => {
    const groups = [group('developers', 'Developers'), group('qa', 'QA'), group('release-managers', 'Release managers')];
    expect(filterGroups(groups, ' dev ').map((g) => g.slug)).toEqual(['developers']);
    expect(filterGroups(groups, 'RELEASE-').map((g) => g.slug)).toEqual(['release-managers']);
    expect(filterGroups(groups, '')).toEqual(groups);
  });

  it('shows the member count in words, and nothing when the API gave none', () => {
    expect(memberCountText(developers)).toBe('12 members');
    expect(memberCountText(group('a', 'a', { memberCount: 1 }))).toBe('1 member');
    expect(memberCountText(group('a', 'a', { memberCount: 12345 }))).toBe('12,345 members');
    expect(memberCountText(qa)).toBeNull();
  });
});

describe('the pages of an organization search', () => {
  const answered = (state: GroupSearchState, request: number, list: GroupList) =>
    groupSearchReducer(state, { type: 'answered', request, page: list });

  it('shows the first page, then appends the next one for Show more', () => {
    let state = answered(INITIAL_GROUP_SEARCH, 0, page([developers, qa], 'cursor-2'));
    expect(state).toMatchObject({ groups: [developers, qa], nextCursor: 'cursor-2', loading: null });
    state = groupSearchReducer(state, { type: 'more', request: 1 });
    expect(state.loading).toBe('more');
    state = answered(state, 1, page([designers, synced]));
    expect(state.groups.map((g) => g.slug)).toEqual(['g-dev', 'g-qa', 'g-design', 'g-okta']);
    expect(state.nextCursor).toBeNull();
  });

  it('does not list a group twice when it moved between pages', () => {
    let state = answered(INITIAL_GROUP_SEARCH, 0, page([developers, qa], 'c'));
    state = groupSearchReducer(state, { type: 'more', request: 1 });
    state = answered(state, 1, page([qa, designers]));
    expect(state.groups.map((g) => g.slug)).toEqual(['g-dev', 'g-qa', 'g-design']);
  });

  it('replaces the results with those of a new search, and drops a late answer to the search before', () => {
    let state = answered(INITIAL_GROUP_SEARCH, 0, page([developers, qa, designers], 'c'));
    state = groupSearchReducer(state, { type: 'search', search: 'd', request: 1 });
    // The previous results stay on screen while the new search runs.
    expect(state).toMatchObject({ search: 'd', loading: 'first', groups: [developers, qa, designers] });
    state = groupSearchReducer(state, { type: 'search', search: 'de', request: 2 });
    state = answered(state, 1, page([developers, designers]));
    expect(state.loading).toBe('first');
    state = answered(state, 2, page([developers]));
    expect(state).toMatchObject({ search: 'de', groups: [developers], nextCursor: null, loading: null });
  });

  it('drops a Show more answer that comes after a new search began', () => {
    let state = answered(INITIAL_GROUP_SEARCH, 0, page([developers], 'c'));
    state = groupSearchReducer(state, { type: 'more', request: 1 });
    state = groupSearchReducer(state, { type: 'search', search: 'qa', request: 2 });
    state = answered(state, 1, page([designers]));
    expect(state.groups).toEqual([developers]);
    state = answered(state, 2, page([qa]));
    expect(state.groups).toEqual([qa]);
  });

  it('keeps the groups listed when a page fails, and remembers which request to ask again', () => {
    let state = answered(INITIAL_GROUP_SEARCH, 0, page([developers], 'c'));
    state = groupSearchReducer(state, { type: 'more', request: 1 });
    state = groupSearchReducer(state, { type: 'failed', request: 1, message: 'Atlassian Administration could not be reached.' });
    expect(state).toMatchObject({ groups: [developers], nextCursor: 'c', loading: null, error: { during: 'more' } });
    state = groupSearchReducer(state, { type: 'search', search: 'x', request: 2 });
    expect(state.error).toBeNull();
    state = groupSearchReducer(state, { type: 'failed', request: 2, message: 'No.' });
    expect(state.error).toEqual({ message: 'No.', during: 'first' });
  });
});

// The "Configure automatic access" dialog (its own view, opened by the host as a dialog).
import { useCallback, useEffect, useReducer, useRef, useState, type ReactNode, type RefObject } from 'react';
import { flushSync } from 'react-dom';
import { listGroups, listLinkedAccounts, organizationSuggestion, saveDefaultGroups } from '../api/admin-api';
import { InvitationPreview } from './InvitationPreview';
import type { GroupChoice, GroupRef, LinkedAccount } from '../api/types';
import { useBridge } from '../host/BridgeContext';
import type { ApiResult, DialogData } from '../host/host-bridge';
import {
  INITIAL_GROUP_SEARCH,
  filterGroups,
  groupSearchReducer,
  isSelectable,
  selectedElsewhere,
  selectionOf,
  slugsToSave,
  toggleGroup,
  unavailableText,
  withGroups,
  type GroupSelection,
} from '../lib/group-selection';
import { relativeTime } from '../lib/relative-time';
import { useResource } from '../lib/use-resource';
import Button from '@atlaskit/button/new';
import Heading from '@atlaskit/heading';
import SectionMessage from '@atlaskit/section-message';
import Spinner from '@atlaskit/spinner';
import { TextField as Textfield } from '../fields/Fields';
import { Loading as LoadingBlock } from '../Loading';
import { GroupChecklist } from './GroupChecklist';
import { ModeField, useModeChoice } from './ModeField';
import { OffboardingField } from './OffboardingField';
import './dialog.css';

export const DIALOG_TITLE = 'Configure automatic access';
/** A workspace with more groups than this gets a filter box (its groups all come at once). */
const LOCAL_FILTER_THRESHOLD = 10;
/** How long typing must pause before the organization is searched. */
const SEARCH_DELAY_MS = 300;

export function ConfigureAccessDialog({ data }: { data: DialogData }) {
  return data.targetType === 'atlassian-organization' ? <OrganizationGroupsDialog data={data} /> : <WorkspaceGroupsDialog data={data} />;
}

/** Save, Cancel (and Escape) and the account found unlinked: the same for both kinds of target. */
function useDialogActions(data: DialogData) {
  const bridge = useBridge();
  // Set when the account turns out to be unlinked (in another tab, or by another administrator).
  const [unlinked, setUnlinked] = useState(false);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const modeChoice = useModeChoice(data.linkedAccountId);

  const cancel = useCallback(() => {
    if (!saving) void bridge.closeDialog({ saved: false });
  }, [bridge, saving]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') cancel();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [cancel]);

  const save = async (slugs: string[]) => {
    setSaving(true);
    setSaveError(null);
    const result = await saveDefaultGroups(bridge, data.linkedAccountId, slugs, modeChoice.mode ?? undefined);
    if (result.ok) {
      await bridge.closeDialog({ saved: true });
      return;
    }
    setSaving(false);
    if (result.status === 404) setUnlinked(true);
    else setSaveError(result.message);
  };

  /** Marks the account unlinked when a read answers 404. */
  const noticeUnlinked = useCallback(<T,>(result: ApiResult<T>): ApiResult<T> => {
    if (!result.ok && result.status === 404) setUnlinked(true);
    return result;
  }, []);

  return { unlinked, saving, saveError, cancel, save, noticeUnlinked, modeChoice, linkedAccountId: data.linkedAccountId };
}

function DialogFrame({
  accountName,
  intro,
  actions,
  canSave,
  onSave,
  preview,
  children,
}: {
  accountName: string;
  intro: ReactNode;
  actions: ReturnType<typeof useDialogActions>;
  canSave: boolean;
  onSave: () => void;
  preview?: ReactNode;
  children: ReactNode;
}) {
  const { unlinked, saving, saveError, cancel } = actions;
  return (
    <div className="ati-dialog" role="dialog" aria-label={DIALOG_TITLE}>
      <header className="ati-dialog__header">
        <Heading as="h1" size="medium">
          {DIALOG_TITLE}
        </Heading>
      </header>
      <div className="ati-dialog__body">
        <ModeField mode={actions.modeChoice.mode} onChange={actions.modeChoice.setMode} isDisabled={actions.saving} />
        <p>{intro}</p>
        {unlinked ? (
          <SectionMessage appearance="warning" title={`${accountName} is no longer linked`}>
            <p>
              It was unlinked in another tab or by another administrator, so nothing was saved. Close this dialog to see the linked accounts as they
              are now.
            </p>
          </SectionMessage>
        ) : (
          <div className="ati-dialog__groups">{children}</div>
        )}
        {unlinked ? null : preview}
        {unlinked ? null : <OffboardingField linkedAccountId={actions.linkedAccountId} />}
        {saveError ? (
          <SectionMessage appearance="error" title="Couldn't save">
            <p>{saveError}</p>
          </SectionMessage>
        ) : null}
      </div>
      <footer className="ati-dialog__footer">
        <Button appearance="primary" isLoading={saving} isDisabled={!canSave || unlinked} onClick={onSave}>
          Save
        </Button>
        <Button appearance="subtle" isDisabled={saving} onClick={cancel}>
          {unlinked ? 'Close' : 'Cancel'}
        </Button>
      </footer>
    </div>
  );
}

function SelectedCount({ selection, none }: { selection: GroupSelection; none: string }) {
  return (
    <p className={selection.size === 0 ? 'ati-dialog__hint' : 'ati-dialog__count'} role="status">
      {selection.size === 0 ? none : `${selection.size} selected`}
    </p>
  );
}

/**
 * The ticked groups the list on screen does not show. Unticking one removes it from here: the
 * focus then moves to the next one (or back to the search box), not to the page's start.
 */
function SelectedElsewhere({
  groups,
  selection,
  disabled,
  showSlug,
  onToggle,
  focusAfterLast,
}: {
  groups: readonly GroupRef[];
  selection: GroupSelection;
  disabled: boolean;
  showSlug: boolean;
  onToggle: (group: GroupChoice, on: boolean) => void;
  focusAfterLast: RefObject<HTMLInputElement | null>;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const toggle = (group: GroupChoice, on: boolean) => {
    const index = groups.findIndex((g) => g.slug === group.slug);
    flushSync(() => onToggle(group, on));
    if (on) return;
    const boxes = Array.from(ref.current?.querySelectorAll<HTMLInputElement>('input[type="checkbox"]') ?? []);
    (boxes[index] ?? boxes[index - 1] ?? focusAfterLast.current)?.focus();
  };
  return (
    <div ref={ref} className="ati-dialog__elsewhere">
      <GroupChecklist
        legend="Selected, not in these results"
        visibleLegend
        groups={groups}
        selection={selection}
        disabled={disabled}
        showSlug={showSlug}
        onToggle={toggle}
      />
    </div>
  );
}

// --- a Bitbucket workspace: every group at once, filtered here ------------------------------------

function WorkspaceGroupsDialog({ data }: { data: DialogData }) {
  const bridge = useBridge();
  const actions = useDialogActions(data);
  const { noticeUnlinked } = actions;
  const load = useCallback(
    async () => noticeUnlinked(await listGroups(bridge, data.linkedAccountId, { refresh: true })),
    [bridge, data.linkedAccountId, noticeUnlinked],
  );
  const { state, reload } = useResource(load);
  // Null until the admin ticks or unticks: until then, what the server says is selected.
  const [touched, setTouched] = useState<GroupSelection | null>(null);
  const [filter, setFilter] = useState('');
  const filterRef = useRef<HTMLInputElement>(null);
  const groups = state.status === 'ready' ? state.data.groups : [];
  const selection = touched ?? selectionOf(groups.filter((group) => group.selected));
  const shown = filterGroups(groups, filter);
  const elsewhere = filter.trim() === '' ? [] : selectedElsewhere(selection, shown);
  const toggle = (group: GroupChoice, on: boolean) => setTouched(toggleGroup(selection, group, on));

  const workspace = data.accountName || 'this workspace';
  return (
    <DialogFrame
      accountName={workspace}
      actions={actions}
      canSave={state.status === 'ready'}
      // Keep the server's order.
      onSave={() => void actions.save(slugsToSave(selection, groups))}
      preview={<InvitationPreview linkedAccountId={data.linkedAccountId} proposal={{ groups: slugsToSave(selection, groups) }} />}
      intro={
        <>
          Automatically give newly-added Jira users access to <strong>{workspace}</strong> repositories through these Bitbucket groups:
        </>
      }
    >
      {state.status === 'loading' ? <LoadingBlock label="Loading groups" /> : null}
      {state.status === 'error' ? (
        <SectionMessage appearance="error" title="Couldn't load the groups" actions={<Button onClick={() => void reload()}>Try again</Button>}>
          <p>{state.message}</p>
        </SectionMessage>
      ) : null}
      {state.status === 'ready' && groups.length === 0 ? (
        <p className="ati-dialog__empty">There are no Bitbucket groups configured for the selected account.</p>
      ) : null}
      {state.status === 'ready' && groups.length > 0 ? (
        <>
          {groups.length > LOCAL_FILTER_THRESHOLD ? (
            <Textfield ref={filterRef} label="Filter groups" value={filter} onChange={setFilter} autoComplete="off" />
          ) : null}
          {elsewhere.length > 0 ? (
            <SelectedElsewhere
              groups={elsewhere}
              selection={selection}
              disabled={actions.saving}
              showSlug
              onToggle={toggle}
              focusAfterLast={filterRef}
            />
          ) : null}
          <GroupChecklist legend="Bitbucket groups" groups={shown} selection={selection} disabled={actions.saving} showSlug onToggle={toggle} />
          {shown.length === 0 ? <p className="ati-dialog__empty">No group’s name contains “{filter.trim()}”.</p> : null}
          <SelectedCount selection={selection} none={`No group ticked: new Jira users won’t be invited to ${workspace}.`} />
          {state.data.refreshedAt ? (
            <p className="ati-muted ati-dialog__refreshed">Groups read from Bitbucket {relativeTime(state.data.refreshedAt)}.</p>
          ) : null}
        </>
      ) : null}
    </DialogFrame>
  );
}

// --- an Atlassian organization: searched and paged on the server ---------------------------------

type Suggestion = { from: string; groups: GroupChoice[] } | { from: string; error: string };

interface OrganizationContext {
  account: LinkedAccount;
  suggestion: Suggestion | null;
}

/** The account (its saved groups, which may be on no page on screen) and, when asked for, the groups suggested from a workspace. */
async function loadOrganizationContext(bridge: ReturnType<typeof useBridge>, data: DialogData): Promise<ApiResult<OrganizationContext>> {
  const accounts = await listLinkedAccounts(bridge);
  if (!accounts.ok) return accounts;
  const account = accounts.body.linkedAccounts.find((a) => a.id === data.linkedAccountId);
  if (!account) return { ok: false, status: 404, message: 'No linked account with this id.' };
  if (!data.suggestFrom || !account.organization) return { ok: true, status: 200, body: { account, suggestion: null } };
  const from = accounts.body.linkedAccounts.find((a) => a.id === data.suggestFrom)?.displayName ?? 'the workspace';
  const suggested = await organizationSuggestion(bridge, data.suggestFrom, account.id);
  const suggestion: Suggestion = suggested.ok ? { from, groups: suggested.body.groups } : { from, error: suggested.message };
  return { ok: true, status: 200, body: { account, suggestion } };
}

function OrganizationGroupsDialog({ data }: { data: DialogData }) {
  const bridge = useBridge();
  const actions = useDialogActions(data);
  const { noticeUnlinked } = actions;
  const loadContext = useCallback(async () => noticeUnlinked(await loadOrganizationContext(bridge, data)), [bridge, data, noticeUnlinked]);
  const { state: context, reload: reloadContext } = useResource(loadContext);

  const [search, dispatch] = useReducer(groupSearchReducer, INITIAL_GROUP_SEARCH);
  const lastRequest = useRef(INITIAL_GROUP_SEARCH.request);
  const [query, setQuery] = useState('');
  const searchTimer = useRef<number | undefined>(undefined);
  const listRef = useRef<HTMLDivElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);

  const fetchPage = useCallback(
    async (request: number, text: string, cursor?: string): Promise<boolean> => {
      const result = noticeUnlinked(await listGroups(bridge, data.linkedAccountId, { search: text, cursor }));
      const current = request === lastRequest.current;
      // flushSync: the new page is in the DOM when this returns, for the focus to move into it.
      flushSync(() => dispatch(result.ok ? { type: 'answered', request, page: result.body } : { type: 'failed', request, message: result.message }));
      return current && result.ok;
    },
    [bridge, data.linkedAccountId, noticeUnlinked],
  );

  useEffect(() => {
    void fetchPage(INITIAL_GROUP_SEARCH.request, '');
    return () => window.clearTimeout(searchTimer.current);
  }, [fetchPage]);

  const startSearch = (text: string) => {
    const request = ++lastRequest.current;
    dispatch({ type: 'search', search: text, request });
    void fetchPage(request, text);
  };

  const changeQuery = (text: string) => {
    setQuery(text);
    window.clearTimeout(searchTimer.current);
    searchTimer.current = window.setTimeout(() => startSearch(text.trim()), SEARCH_DELAY_MS);
  };

  const showMore = async () => {
    if (!search.nextCursor) return;
    const firstNew = search.groups.length;
    const request = ++lastRequest.current;
    dispatch({ type: 'more', request });
    if (!(await fetchPage(request, search.search, search.nextCursor))) return;
    // The Show more button may be gone: carry on from the first new group that can be ticked.
    const boxes = Array.from(listRef.current?.querySelectorAll<HTMLInputElement>('input[type="checkbox"]') ?? []).slice(firstNew);
    const target = boxes.find((box) => !box.disabled) ?? searchRef.current;
    target?.focus();
  };

  const tryAgain = () => {
    if (search.error?.during === 'more') void showMore();
    else startSearch(search.search);
  };

  // Null until the admin ticks or unticks: until then, the saved groups plus the suggested ones.
  const [touched, setTouched] = useState<GroupSelection | null>(null);
  const initial =
    context.status === 'ready'
      ? withGroups(
          selectionOf(context.data.account.defaultGroups),
          context.data.suggestion && 'groups' in context.data.suggestion ? context.data.suggestion.groups : [],
        )
      : new Map<string, GroupRef>();
  const selection = touched ?? initial;
  const toggle = (group: GroupChoice, on: boolean) => setTouched(toggleGroup(selection, group, on));
  const elsewhere = selectedElsewhere(selection, search.groups);

  const organization = data.accountName || 'this organization';
  // Until the first page has come; later searches keep the search box and the list on screen.
  const firstPageLoading = search.request === INITIAL_GROUP_SEARCH.request && search.loading === 'first';
  const ready = context.status === 'ready' && !firstPageLoading;
  return (
    <DialogFrame
      accountName={organization}
      actions={actions}
      canSave={context.status === 'ready'}
      onSave={() => void actions.save(slugsToSave(selection))}
      preview={<InvitationPreview linkedAccountId={data.linkedAccountId} proposal={{ groups: slugsToSave(selection) }} />}
      intro={
        <>
          Automatically add newly-added Jira users to these groups of <strong>{organization}</strong>. They join at once, with nothing to accept:
        </>
      }
    >
      {context.status === 'error' ? (
        <SectionMessage
          appearance="error"
          title="Couldn't load the linked account"
          actions={<Button onClick={() => void reloadContext()}>Try again</Button>}
        >
          <p>{context.message}</p>
        </SectionMessage>
      ) : null}
      {context.status === 'ready' && context.data.suggestion ? <SuggestionMessage suggestion={context.data.suggestion} /> : null}
      {!ready && context.status !== 'error' ? <LoadingBlock label="Loading groups" /> : null}
      {ready ? (
        <>
          <Textfield
            ref={searchRef}
            label="Search groups"
            value={query}
            onChange={changeQuery}
            autoComplete="off"
            helperText="Organizations can have thousands of groups: type part of a name to find one."
          />
          <div className="ati-dialog__search-state">
            <SelectedCount selection={selection} none={`No group ticked: new Jira users won’t be added to groups of ${organization}.`} />
            {search.loading === 'first' ? <Spinner size="small" label="Searching groups" /> : null}
          </div>
          {elsewhere.length > 0 ? (
            <SelectedElsewhere
              groups={elsewhere}
              selection={selection}
              disabled={actions.saving}
              showSlug={false}
              onToggle={toggle}
              focusAfterLast={searchRef}
            />
          ) : null}
          <div
            ref={listRef}
            className={search.loading === 'first' ? 'ati-dialog__list ati-dialog__list--stale' : 'ati-dialog__list'}
            aria-busy={search.loading !== null}
          >
            <GroupChecklist
              legend="Organization groups"
              groups={search.groups}
              selection={selection}
              disabled={actions.saving}
              showSlug={false}
              onToggle={toggle}
            />
          </div>
          {search.loading === null && search.error === null && search.groups.length === 0 ? (
            <p className="ati-dialog__empty">
              {search.search === '' ? 'This organization’s directory has no groups.' : `No group’s name contains “${search.search}”.`}
            </p>
          ) : null}
          {search.error ? (
            <SectionMessage appearance="error" title="Couldn't load the groups" actions={<Button onClick={tryAgain}>Try again</Button>}>
              <p>{search.error.message}</p>
            </SectionMessage>
          ) : null}
          {search.nextCursor && search.loading !== 'first' && search.error === null ? (
            <div className="ati-dialog__more">
              <Button isLoading={search.loading === 'more'} onClick={() => void showMore()}>
                Show more
              </Button>
            </div>
          ) : null}
        </>
      ) : null}
    </DialogFrame>
  );
}

/** Where the pre-ticked groups came from, for the admin to confirm with Save. */
function SuggestionMessage({ suggestion }: { suggestion: Suggestion }) {
  if ('error' in suggestion) {
    return (
      <SectionMessage appearance="warning" title={`Couldn't tick the groups of ${suggestion.from}`}>
        <p>{suggestion.error} Tick the groups to use yourself.</p>
      </SectionMessage>
    );
  }
  const ticked = suggestion.groups.filter(isSelectable);
  const refused = suggestion.groups.filter((group) => !isSelectable(group));
  if (suggestion.groups.length === 0) {
    return (
      <SectionMessage appearance="information" title={`No group ticked from ${suggestion.from}`}>
        <p>No group of this organization is named like the groups {suggestion.from} invited new Jira users to. Tick the groups to use.</p>
      </SectionMessage>
    );
  }
  return (
    <SectionMessage appearance="information" title={`Groups ticked from ${suggestion.from}`}>
      {ticked.length > 0 ? (
        <p>
          {ticked.map((group) => group.name).join(', ')}: named like the groups {suggestion.from} invited new Jira users to. Check them, then Save to
          use them here.
        </p>
      ) : null}
      {refused.map((group) => (
        <p key={group.slug}>
          {group.name} is named like one of them too, but cannot be ticked. {unavailableText(group)}
        </p>
      ))}
    </SectionMessage>
  );
}

import { useCallback, useEffect, useRef, useState } from 'react';
import { listInvitations, listLinkedAccounts, retryInvitation, sendInvitationNow } from '../api/admin-api';
import type { Invitation, InvitationStatus, LinkedAccount, TargetType } from '../api/types';
import { useBridge } from '../host/BridgeContext';
import type { ApiResult } from '../host/host-bridge';
import { INVITATION_STATUSES, retryExplanation, statusOption } from '../lib/invitation-status';
import { formatDate } from '../lib/relative-time';
import { useResource } from '../lib/use-resource';
import Button from '@atlaskit/button/new';
import EmptyState from '@atlaskit/empty-state';
import Heading from '@atlaskit/heading';
import SectionMessage from '@atlaskit/section-message';
import { Loading } from '../Loading';
import { FilterSelect } from './FilterSelect';
import { InvitationSearch, useShowInvitationRequests } from './InvitationSearch';
import { InvitationsTable } from './InvitationsTable';
import { Pagination } from './Pagination';
import { INVITATIONS_PAGE_SIZE } from './first-view';
import { useRefreshWhileVisible } from '../lib/use-refresh-while-visible';

export const PAGE_SIZE = INVITATIONS_PAGE_SIZE;
const AUTO_REFRESH_MS = 5_000;
/** Slow background refresh, so invitations for users added meanwhile show up on their own. */
const IDLE_REFRESH_MS = 30_000;

export function InvitationsSection({
  accountsVersion,
  onInvitationsChanged,
}: {
  accountsVersion: number;
  /** Called when the invitations on screen change after the first load (e.g. queued → sent). */
  onInvitationsChanged: () => void;
}) {
  const bridge = useBridge();
  const [status, setStatus] = useState<InvitationStatus | ''>('');
  const [linkedAccountId, setLinkedAccountId] = useState('');
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const changeSearch = useCallback((value: string) => {
    setSearch(value);
    setPage(1);
  }, []);
  useShowInvitationRequests(
    useCallback((filter) => {
      setStatus(filter.status ?? '');
      setLinkedAccountId(filter.linkedAccountId ?? '');
      setSearch('');
      setPage(1);
    }, []),
  );
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());
  const load = useCallback(
    () => listInvitations(bridge, { status, linkedAccountId, search, page, pageSize: PAGE_SIZE }),
    [bridge, status, linkedAccountId, search, page],
  );
  const { state, reload } = useResource(load);
  // Unlinked accounts too: the history still names them, and can be filtered by them.
  const loadAccounts = useCallback(() => listLinkedAccounts(bridge, { includeUnlinked: true }), [bridge]);
  const { state: accountsState, reload: reloadAccounts } = useResource(loadAccounts);
  const accounts = accountsState.status === 'ready' ? accountsState.data.linkedAccounts : [];
  const unlinkedIds = new Set(accounts.filter((a) => a.status === 'unlinked').map((a) => a.id));
  const targetTypes = new Set<TargetType>(accounts.map((a) => a.targetType));

  // Tell the page when invitations change, so that "Last invitation sent" can follow.
  const signature = state.status === 'ready' ? state.data.invitations.map((i) => `${i.id}:${i.status}`).join(',') : null;
  const lastSignature = useRef<string | null>(null);
  const onChangedRef = useRef(onInvitationsChanged);
  useEffect(() => {
    onChangedRef.current = onInvitationsChanged;
  });
  useEffect(() => {
    if (signature === null) return;
    if (lastSignature.current !== null && lastSignature.current !== signature) onChangedRef.current();
    lastSignature.current = signature;
  }, [signature]);

  // Auto-refresh every 5 s while an invitation on screen is still queued.
  const anyQueued = state.status === 'ready' && state.data.invitations.some((i) => i.status === 'queued');
  useEffect(() => {
    if (!anyQueued) return;
    const timer = window.setInterval(() => void reload({ silent: true }), AUTO_REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [anyQueued, reload]);

  useRefreshWhileVisible(reload, IDLE_REFRESH_MS, !anyQueued);

  // Refresh when the admin comes back to this frame (e.g. after adding a Jira user elsewhere).
  const lastFocusRefresh = useRef(0);
  useEffect(() => {
    const onFocus = () => {
      if (Date.now() - lastFocusRefresh.current < 2_000) return;
      lastFocusRefresh.current = Date.now();
      void reload({ silent: true });
    };
    window.addEventListener('focus', onFocus);
    return () => window.removeEventListener('focus', onFocus);
  }, [reload]);

  // Refresh when the linked accounts change.
  const firstVersion = useRef(accountsVersion);
  useEffect(() => {
    if (accountsVersion === firstVersion.current) return;
    void reload({ silent: true });
    void reloadAccounts({ silent: true });
  }, [accountsVersion, reload, reloadAccounts]);

  /** Runs an action on one invitation, with its row busy meanwhile, then shows the list as it now is. */
  const act = async <T,>(invitation: Invitation, action: () => Promise<ApiResult<T>>): Promise<ApiResult<T>> => {
    setBusy((prev) => new Set(prev).add(invitation.id));
    const result = await action();
    await reload({ silent: true });
    setBusy((prev) => {
      const next = new Set(prev);
      next.delete(invitation.id);
      return next;
    });
    return result;
  };

  const retry = async (invitation: Invitation) => {
    const result = await act(invitation, () => retryInvitation(bridge, invitation.id));
    if (result.ok) {
      const { title, description } = retryExplanation(invitation);
      bridge.showFlag({ type: invitation.reasonCode === 'no-email' ? 'info' : 'success', title, description });
    } else {
      bridge.showFlag({ type: 'error', title: "Couldn't retry the invitation", description: result.message });
    }
  };

  const sendNow = async (invitation: Invitation) => {
    const result = await act(invitation, () => sendInvitationNow(bridge, invitation.id));
    if (result.ok) {
      bridge.showFlag({
        type: 'success',
        title: 'Sending the invitation now',
        description: `${invitation.displayName} will be ${verbOf(invitation)} to ${invitation.groupName} in ${accountNameOf(invitation)} without waiting for the next attempt.`,
      });
    } else {
      bridge.showFlag({ type: 'error', title: "Couldn't send the invitation now", description: result.message });
    }
  };

  const changeStatus = (value: string) => {
    setStatus(value as InvitationStatus | '');
    setPage(1);
  };

  const changeAccount = (value: string) => {
    setLinkedAccountId(value);
    setPage(1);
  };

  const showAll = () => {
    changeStatus('');
    setLinkedAccountId('');
    setSearch('');
  };

  return (
    <section className="ati-section" aria-labelledby="ati-invitations-title">
      <div className="ati-section__header">
        <div>
          <Heading as="h2" size="medium" id="ati-invitations-title">
            Recent invitations
          </Heading>
          <p className="ati-section__description">Every invitation the app sent or tried to send, newest first.</p>
        </div>
        <div className="ati-filters">
          <FilterSelect
            label="Linked account"
            value={linkedAccountId}
            onChange={changeAccount}
            options={[{ value: '', label: 'All' }, ...accounts.map((a) => ({ value: a.id, label: accountOption(a) }))]}
          />
          <FilterSelect
            label="Status"
            value={status}
            onChange={changeStatus}
            options={[{ value: '', label: 'All' }, ...INVITATION_STATUSES.map((s) => ({ value: s, label: statusOption(s, targetTypes) }))]}
          />
        </div>
      </div>

      <InvitationSearch search={search} linkedAccountId={linkedAccountId} onSearch={changeSearch} onRetried={() => void reload({ silent: true })} />
      {state.status === 'loading' ? <Loading label="Loading invitations" /> : null}
      {state.status === 'error' ? (
        <SectionMessage appearance="error" title="Couldn't load the invitations" actions={<Button onClick={() => void reload()}>Try again</Button>}>
          <p>{state.message}</p>
        </SectionMessage>
      ) : null}
      {state.status === 'ready' && state.data.invitations.length === 0 ? (
        status === '' && linkedAccountId === '' && search === '' ? (
          <EmptyState
            headingLevel={3}
            header="No invitations yet"
            description="When someone is added to Jira, the invitations to the groups of your linked accounts appear here, with their outcome."
          />
        ) : (
          <EmptyState
            headingLevel={3}
            header={status === '' ? 'No invitations' : `No ${statusOption(status, targetTypes).toLowerCase()} invitations`}
            description={linkedAccountId === '' ? 'No invitation has this status.' : 'No invitation matches these filters.'}
            primaryAction={<Button onClick={showAll}>Show all invitations</Button>}
          />
        )
      ) : null}
      {state.status === 'ready' && state.data.invitations.length > 0 ? (
        <>
          <InvitationsTable
            invitations={state.data.invitations}
            unlinkedIds={unlinkedIds}
            busy={busy}
            onRetry={(i) => void retry(i)}
            onSendNow={(i) => void sendNow(i)}
          />
          <Pagination
            page={state.data.page || page}
            pageSize={state.data.pageSize || PAGE_SIZE}
            total={state.data.total}
            shown={state.data.invitations.length}
            onPage={setPage}
          />
        </>
      ) : null}
    </section>
  );
}

/** An unlinked account says so, and when: a workspace linked again has several. */
function accountOption(account: LinkedAccount): string {
  if (account.status !== 'unlinked') return account.displayName;
  return account.unlinkedAt ? `${account.displayName} (unlinked ${formatDate(new Date(account.unlinkedAt))})` : `${account.displayName} (unlinked)`;
}

function accountNameOf(invitation: Invitation): string {
  return invitation.linkedAccountName || invitation.workspace || '';
}

/** An organization adds the user to the group; a workspace invites them. */
function verbOf(invitation: Invitation): string {
  return invitation.targetType === 'atlassian-organization' ? 'added' : 'invited';
}

import { lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import Button from '@atlaskit/button/new';
import EmptyState from '@atlaskit/empty-state';
import Heading from '@atlaskit/heading';
import SectionMessage from '@atlaskit/section-message';
import { listGroups, listLinkedAccounts } from '../api/admin-api';
import type { LinkedAccount } from '../api/types';
import { useBridge } from '../host/BridgeContext';
import { useResource } from '../lib/use-resource';
import { Loading } from '../Loading';
import { LinkedAccountsTable, type AccountAction } from './LinkedAccountsTable';

// Only a click opens these: their code (and the modal dialog's) loads then, not with the page.
const CredentialsModal = lazy(() => import('./CredentialsModal').then((m) => ({ default: m.CredentialsModal })));
const UnlinkModal = lazy(() => import('./UnlinkModal').then((m) => ({ default: m.UnlinkModal })));

type OpenModal =
  /** `movedFrom`: link the organization of this workspace, then pre-tick its groups in the dialog. */
  { kind: 'link'; movedFrom?: LinkedAccount } | { kind: 'update'; account: LinkedAccount } | { kind: 'unlink'; account: LinkedAccount } | null;

export function LinkedAccountsSection({
  onAccountsChanged,
  refreshKey,
}: {
  onAccountsChanged: () => void;
  /** A change reloads the list quietly (e.g. invitations were sent meanwhile). */
  refreshKey: number;
}) {
  const bridge = useBridge();
  const load = useCallback(() => listLinkedAccounts(bridge), [bridge]);
  const { state, reload } = useResource(load);
  const [modal, setModal] = useState<OpenModal>(null);
  const [busyIds, setBusyIds] = useState<ReadonlySet<string>>(new Set());

  const firstRefreshKey = useRef(refreshKey);
  useEffect(() => {
    if (refreshKey !== firstRefreshKey.current) void reload({ silent: true });
  }, [refreshKey, reload]);

  const setBusy = (id: string, busy: boolean) =>
    setBusyIds((prev) => {
      const next = new Set(prev);
      if (busy) next.add(id);
      else next.delete(id);
      return next;
    });

  const changed = async () => {
    await reload({ silent: true });
    onAccountsChanged();
  };

  /** The account was unlinked elsewhere (another tab, another administrator): show the list as it now is. */
  const gone = async (account: LinkedAccount) => {
    await changed();
    bridge.showFlag({
      type: 'info',
      title: `${account.displayName} is no longer linked`,
      description:
        'It was unlinked in another tab or by another administrator, so nothing was changed. The list now shows the linked accounts as they are.',
    });
  };

  /** `suggestFrom`: a linked workspace whose groups the dialog pre-ticks the organization's like-named groups after. */
  const configure = async (account: LinkedAccount, suggestFrom?: LinkedAccount, openedBy?: HTMLElement | null) => {
    // The host's dialog takes the focus away from this frame: give it back to what opened the
    // dialog (the actions menu's trigger), as a modal does, unless it has moved on meanwhile.
    const opener = openedBy ?? (document.activeElement instanceof HTMLElement ? document.activeElement : null);
    const { saved } = await bridge.openConfigureDialog({
      linkedAccountId: account.id,
      accountName: account.displayName,
      targetType: account.targetType,
      ...(suggestFrom ? { suggestFrom: suggestFrom.id } : {}),
    });
    if (opener?.isConnected && (document.activeElement === null || document.activeElement === document.body)) opener.focus();
    // Even unsaved, the dialog read the groups afresh (or found the account unlinked).
    await changed();
    if (!saved) return;
    const verb = account.targetType === 'atlassian-organization' ? 'added' : 'invited';
    bridge.showFlag({
      type: 'success',
      title: 'Automatic access saved',
      description: `New Jira users will be ${verb} to the chosen groups of ${account.displayName}.`,
    });
  };

  const refreshGroups = async (account: LinkedAccount) => {
    setBusy(account.id, true);
    const result = await listGroups(bridge, account.id, { refresh: true });
    if (!result.ok && result.status === 404) {
      setBusy(account.id, false);
      await gone(account);
      return;
    }
    await reload({ silent: true });
    setBusy(account.id, false);
    if (result.ok) {
      const n = result.body.groups.length;
      bridge.showFlag({
        type: 'success',
        title: 'Groups refreshed',
        description: `${n} ${n === 1 ? 'group' : 'groups'} found in ${account.displayName}.`,
      });
    } else {
      bridge.showFlag({ type: 'error', title: "Couldn't refresh groups", description: result.message });
    }
  };

  const onAction = (action: AccountAction, account: LinkedAccount, opener?: HTMLElement | null) => {
    switch (action) {
      case 'configure':
        void configure(account, undefined, opener);
        break;
      case 'refresh-groups':
        void refreshGroups(account);
        break;
      case 'update-credentials':
        setModal({ kind: 'update', account });
        break;
      case 'unlink':
        setModal({ kind: 'unlink', account });
        break;
      case 'link-organization':
        setModal({ kind: 'link', movedFrom: account });
        break;
    }
  };

  const linkButton = (
    <Button appearance="primary" onClick={() => setModal({ kind: 'link' })}>
      Link account
    </Button>
  );
  const isEmpty = state.status === 'ready' && state.data.linkedAccounts.length === 0;

  return (
    <section className="ati-section" aria-labelledby="ati-linked-accounts-title">
      <div className="ati-section__header">
        <div>
          <Heading as="h2" size="medium" id="ati-linked-accounts-title">
            Linked accounts
          </Heading>
          <p className="ati-section__description">Bitbucket Cloud workspaces and Atlassian organizations whose groups new Jira users join.</p>
        </div>
        {isEmpty ? null : linkButton}
      </div>

      {state.status === 'loading' ? <Loading label="Loading linked accounts" /> : null}
      {state.status === 'error' ? (
        <SectionMessage
          appearance="error"
          title="Couldn't load the linked accounts"
          actions={<Button onClick={() => void reload()}>Try again</Button>}
        >
          <p>{state.message}</p>
        </SectionMessage>
      ) : null}
      {isEmpty ? (
        <EmptyState
          headingLevel={3}
          header="No linked accounts yet"
          description="Link a Bitbucket Cloud workspace or an Atlassian organization, then choose which of its groups new Jira users join."
          primaryAction={linkButton}
        />
      ) : null}
      {state.status === 'ready' && !isEmpty ? (
        <LinkedAccountsTable accounts={state.data.linkedAccounts} busyIds={busyIds} onAction={onAction} />
      ) : null}

      <Suspense fallback={null}>
        {modal?.kind === 'link' || modal?.kind === 'update' ? (
          <CredentialsModal
            account={modal.kind === 'update' ? modal.account : undefined}
            movedFrom={modal.kind === 'link' ? modal.movedFrom : undefined}
            onClose={() => setModal(null)}
            onDone={(account) => {
              setModal(null);
              if (modal.kind === 'update') {
                bridge.showFlag({ type: 'success', title: 'Credentials updated', description: `${account.displayName} uses the new credentials.` });
                void changed();
                return;
              }
              bridge.showFlag({
                type: 'success',
                title: `Linked ${account.displayName}`,
                description: modal.movedFrom
                  ? `Confirm its groups: those named like the groups of ${modal.movedFrom.displayName} are ticked.`
                  : 'Now choose the groups new Jira users join: Configure automatic access.',
              });
              void changed();
              if (modal.movedFrom) void configure(account, modal.movedFrom);
            }}
          />
        ) : null}
        {modal?.kind === 'unlink' ? (
          <UnlinkModal
            account={modal.account}
            onClose={() => setModal(null)}
            onDone={({ alreadyUnlinked }) => {
              const { account } = modal;
              setModal(null);
              if (alreadyUnlinked) {
                void gone(account);
                return;
              }
              bridge.showFlag({
                type: 'success',
                title: `Unlinked ${account.displayName}`,
                description: 'New Jira users are no longer invited to it. Its invitations stay in Recent invitations.',
              });
              void changed();
            }}
          />
        ) : null}
      </Suspense>
    </section>
  );
}

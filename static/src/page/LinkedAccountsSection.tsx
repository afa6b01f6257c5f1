import { useCallback, useEffect, useRef, useState } from 'react';
import { listGroups, listLinkedAccounts } from '../api/admin-api';
import type { LinkedAccount } from '../api/types';
import { useBridge } from '../host/BridgeContext';
import { useResource } from '../lib/use-resource';
import { Button } from '../ui/Button';
import { EmptyState } from '../ui/EmptyState';
import { SectionMessage } from '../ui/SectionMessage';
import { LoadingBlock } from '../ui/Spinner';
import { CredentialsModal } from './CredentialsModal';
import { LinkedAccountsTable, type AccountAction } from './LinkedAccountsTable';
import { UnlinkModal } from './UnlinkModal';

type OpenModal = { kind: 'link' } | { kind: 'update'; account: LinkedAccount } | { kind: 'unlink'; account: LinkedAccount } | null;

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

  const configure = async (account: LinkedAccount) => {
    // The host's dialog takes the focus away from this frame: give it back to what opened the
    // dialog (the actions menu's trigger), as a modal does, unless it has moved on meanwhile.
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const { saved } = await bridge.openConfigureDialog({ id: account.id, workspace: account.workspace });
    if (opener?.isConnected && (document.activeElement === null || document.activeElement === document.body)) opener.focus();
    // Even unsaved, the dialog read the groups afresh from Bitbucket (or found the account unlinked).
    await changed();
    if (!saved) return;
    bridge.showFlag({
      type: 'success',
      title: 'Automatic access saved',
      description: `New Jira users will be invited to the chosen groups of ${account.displayName}.`,
    });
  };

  const refreshGroups = async (account: LinkedAccount) => {
    setBusy(account.id, true);
    const result = await listGroups(bridge, account.id, true);
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

  const onAction = (action: AccountAction, account: LinkedAccount) => {
    switch (action) {
      case 'configure':
        void configure(account);
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
    }
  };

  const linkButton = (
    <Button appearance="primary" onClick={() => setModal({ kind: 'link' })}>
      Link Bitbucket Cloud account
    </Button>
  );
  const isEmpty = state.status === 'ready' && state.data.linkedAccounts.length === 0;

  return (
    <section className="ati-section" aria-labelledby="ati-linked-accounts-title">
      <div className="ati-section__header">
        <div>
          <h2 id="ati-linked-accounts-title">Linked accounts</h2>
          <p className="ati-section__description">Bitbucket Cloud workspaces that new Jira users can be invited to.</p>
        </div>
        {isEmpty ? null : linkButton}
      </div>

      {state.status === 'loading' ? <LoadingBlock label="Loading linked accounts" /> : null}
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
          illustration="link"
          header="No linked accounts yet"
          description="Link a Bitbucket Cloud workspace, then choose which of its groups new Jira users are invited to."
          primaryAction={linkButton}
        />
      ) : null}
      {state.status === 'ready' && !isEmpty ? (
        <LinkedAccountsTable accounts={state.data.linkedAccounts} busyIds={busyIds} onAction={onAction} />
      ) : null}

      {modal?.kind === 'link' || modal?.kind === 'update' ? (
        <CredentialsModal
          account={modal.kind === 'update' ? modal.account : undefined}
          onClose={() => setModal(null)}
          onDone={(account) => {
            setModal(null);
            bridge.showFlag(
              modal.kind === 'link'
                ? {
                    type: 'success',
                    title: `Linked ${account.displayName}`,
                    description: 'Now choose the groups new Jira users are invited to: Configure automatic access.',
                  }
                : { type: 'success', title: 'Credentials updated', description: `${account.displayName} uses the new credentials.` },
            );
            void changed();
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
    </section>
  );
}

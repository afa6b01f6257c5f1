// The "Configure automatic access" dialog (its own view, opened by the host as a dialog).
import { useCallback, useEffect, useState } from 'react';
import { listGroups, saveDefaultGroups } from '../api/admin-api';
import type { Group } from '../api/types';
import { useBridge } from '../host/BridgeContext';
import type { DialogData } from '../host/host-bridge';
import { relativeTime } from '../lib/relative-time';
import { useResource } from '../lib/use-resource';
import { Button } from '../ui/Button';
import { SectionMessage } from '../ui/SectionMessage';
import { LoadingBlock } from '../ui/Spinner';
import { GroupChecklist } from './GroupChecklist';
import './dialog.css';

export const DIALOG_TITLE = 'Configure automatic access';

export function ConfigureAccessDialog({ data }: { data: DialogData }) {
  const bridge = useBridge();
  // Set when the account turns out to be unlinked (in another tab, or by another administrator).
  const [unlinked, setUnlinked] = useState(false);
  const load = useCallback(async () => {
    const result = await listGroups(bridge, data.linkedAccountId, true);
    if (!result.ok && result.status === 404) setUnlinked(true);
    return result;
  }, [bridge, data.linkedAccountId]);
  const { state, reload } = useResource(load);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);

  useEffect(() => {
    if (state.status === 'ready') setSelected(new Set(state.data.groups.filter((g) => g.selected).map((g) => g.slug)));
  }, [state]);

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

  const save = async () => {
    if (state.status !== 'ready') return;
    setSaving(true);
    setSaveError(null);
    // Keep the server's order.
    const slugs = state.data.groups.map((g: Group) => g.slug).filter((slug) => selected.has(slug));
    const result = await saveDefaultGroups(bridge, data.linkedAccountId, slugs);
    if (result.ok) {
      await bridge.closeDialog({ saved: true });
      return;
    }
    setSaving(false);
    if (result.status === 404) setUnlinked(true);
    else setSaveError(result.message);
  };

  const workspace = data.workspace || 'this workspace';
  return (
    <div className="ati-dialog" role="dialog" aria-label={DIALOG_TITLE}>
      <header className="ati-dialog__header">
        <h1 className="ati-dialog__title">{DIALOG_TITLE}</h1>
      </header>
      <div className="ati-dialog__body">
        <p>
          Automatically give newly-added Jira users access to <strong>{workspace}</strong> repositories through these Bitbucket groups:
        </p>
        {unlinked ? (
          <SectionMessage appearance="warning" title={`${workspace} is no longer linked`}>
            <p>
              It was unlinked in another tab or by another administrator, so nothing was saved. Close this dialog to see the linked accounts as they
              are now.
            </p>
          </SectionMessage>
        ) : (
          <div className="ati-dialog__groups">
            {state.status === 'loading' ? <LoadingBlock label="Loading groups" /> : null}
            {state.status === 'error' ? (
              <SectionMessage appearance="error" title="Couldn't load the groups" actions={<Button onClick={() => void reload()}>Try again</Button>}>
                <p>{state.message}</p>
              </SectionMessage>
            ) : null}
            {state.status === 'ready' && state.data.groups.length === 0 ? (
              <p className="ati-dialog__empty">There are no Bitbucket groups configured for the selected account.</p>
            ) : null}
            {state.status === 'ready' && state.data.groups.length > 0 ? (
              <>
                <GroupChecklist groups={state.data.groups} selected={selected} disabled={saving} onChange={setSelected} />
                {selected.size === 0 ? <p className="ati-dialog__hint">No group ticked: new Jira users won’t be invited to {workspace}.</p> : null}
                {state.data.refreshedAt ? (
                  <p className="ati-muted ati-dialog__refreshed">Groups read from Bitbucket {relativeTime(state.data.refreshedAt)}.</p>
                ) : null}
              </>
            ) : null}
          </div>
        )}
        {saveError ? (
          <SectionMessage appearance="error" title="Couldn't save">
            <p>{saveError}</p>
          </SectionMessage>
        ) : null}
      </div>
      <footer className="ati-dialog__footer">
        <Button appearance="primary" isLoading={saving} disabled={state.status !== 'ready' || unlinked} onClick={() => void save()}>
          Save
        </Button>
        <Button appearance="subtle" disabled={saving} onClick={cancel}>
          {unlinked ? 'Close' : 'Cancel'}
        </Button>
      </footer>
    </div>
  );
}

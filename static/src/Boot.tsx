// Picks the host bridge, asks whether this view is the dialog, then renders the page or dialog.
import { useEffect, useState } from 'react';
import { ConfigureAccessDialog } from './dialog/ConfigureAccessDialog';
import { BridgeContext } from './host/BridgeContext';
import { chooseBridge } from './host/choose-bridge';
import type { DialogData, HostBridge } from './host/host-bridge';
import { AdminPage } from './page/AdminPage';
import { SectionMessage } from './ui/SectionMessage';
import { LoadingBlock } from './ui/Spinner';

type BootState = { status: 'starting' } | { status: 'failed'; message: string } | { status: 'ready'; bridge: HostBridge; dialog: DialogData | null };

export function Boot() {
  const [state, setState] = useState<BootState>({ status: 'starting' });

  useEffect(() => {
    let cancelled = false;
    (async () => {
      const bridge = await chooseBridge();
      const dialog = await bridge.dialogData();
      if (dialog) document.documentElement.classList.add('ati-dialog-view');
      if (!cancelled) setState({ status: 'ready', bridge, dialog });
    })().catch((error: unknown) => {
      if (!cancelled) setState({ status: 'failed', message: error instanceof Error ? error.message : String(error) });
    });
    return () => {
      cancelled = true;
    };
  }, []);

  if (state.status === 'starting') return <LoadingBlock label="Loading" />;
  if (state.status === 'failed')
    return (
      <div className="ati-page">
        <SectionMessage appearance="error" title="Automatic team invitations couldn't start">
          <p>{state.message}</p>
          <p>Reload the page. If it keeps happening, contact the app's support.</p>
        </SectionMessage>
      </div>
    );
  return (
    <BridgeContext.Provider value={state.bridge}>
      {state.dialog ? <ConfigureAccessDialog data={state.dialog} /> : <AdminPage />}
    </BridgeContext.Provider>
  );
}

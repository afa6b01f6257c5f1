// Picks the host bridge, follows the host's theme, asks whether this view is the dialog, then
// renders the page or the dialog (each its own chunk: neither loads the other's components).
import { lazy, Suspense, useEffect, useState } from 'react';
import SectionMessage from '@atlaskit/section-message';
import { Box, xcss } from '@atlaskit/primitives';
import { BridgeContext } from './host/BridgeContext';
import { chooseBridge } from './host/choose-bridge';
import type { DialogData, HostBridge } from './host/host-bridge';
import { Loading } from './Loading';
import { followHostTheme } from './theme/host-theme';

const AdminPage = lazy(() => import('./page/AdminPage').then((m) => ({ default: m.AdminPage })));
const ConfigureAccessDialog = lazy(() => import('./dialog/ConfigureAccessDialog').then((m) => ({ default: m.ConfigureAccessDialog })));

type BootState = { status: 'starting' } | { status: 'failed'; message: string } | { status: 'ready'; bridge: HostBridge; dialog: DialogData | null };

const pageStyles = xcss({ padding: 'space.300' });

export function Boot() {
  const [state, setState] = useState<BootState>({ status: 'starting' });

  useEffect(() => {
    let cancelled = false;
    (async () => {
      const bridge = await chooseBridge();
      followHostTheme(() => bridge.enableTheming());
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

  if (state.status === 'starting') return <Loading label="Loading" />;
  if (state.status === 'failed')
    return (
      <Box xcss={pageStyles}>
        <SectionMessage appearance="error" title="Automatic team invitations couldn't start">
          <p>{state.message}</p>
          <p>Reload the page. If it keeps happening, contact the app's support.</p>
        </SectionMessage>
      </Box>
    );
  return (
    <BridgeContext.Provider value={state.bridge}>
      <Suspense fallback={<Loading label="Loading" />}>{state.dialog ? <ConfigureAccessDialog data={state.dialog} /> : <AdminPage />}</Suspense>
    </BridgeContext.Provider>
  );
}

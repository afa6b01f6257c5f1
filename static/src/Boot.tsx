// Renders what the boot (startup.ts) found: the page or the dialog (each its own chunk: neither
// loads the other's components), or why the app couldn't start.
import { lazy, Suspense, useEffect, useState } from 'react';
import SectionMessage from '@atlaskit/section-message';
import { Box, xcss } from '@atlaskit/primitives';
import { loadAdminPage, type Booted } from './startup';
import { BridgeContext } from './host/BridgeContext';
import { Loading } from './Loading';

const AdminPage = lazy(() => loadAdminPage().then((m) => ({ default: m.AdminPage })));
const ConfigureAccessDialog = lazy(() => import('./dialog/ConfigureAccessDialog').then((m) => ({ default: m.ConfigureAccessDialog })));

type BootState = { status: 'starting' } | { status: 'failed'; message: string } | { status: 'ready'; booted: Booted };

const pageStyles = xcss({ padding: 'space.300' });

export function Boot({ boot }: { boot: Promise<Booted> }) {
  const [state, setState] = useState<BootState>({ status: 'starting' });

  useEffect(() => {
    let cancelled = false;
    boot.then(
      (booted) => {
        if (!cancelled) setState({ status: 'ready', booted });
      },
      (error: unknown) => {
        if (!cancelled) setState({ status: 'failed', message: error instanceof Error ? error.message : String(error) });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [boot]);

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
  const { booted } = state;
  return (
    <BridgeContext.Provider value={booted.bridge}>
      <Suspense fallback={<Loading label="Loading" />}>
        {booted.dialog ? <ConfigureAccessDialog data={booted.dialog} /> : <AdminPage firstView={booted.firstView} />}
      </Suspense>
    </BridgeContext.Provider>
  );
}

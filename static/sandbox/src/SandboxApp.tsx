import { useCallback, useEffect, useMemo, useSyncExternalStore } from 'react';
import { useResource } from '../../src/lib/use-resource';
import { Button } from '../../src/ui/Button';
import { SectionMessage } from '../../src/ui/SectionMessage';
import { LoadingBlock } from '../../src/ui/Spinner';
import { AppFrame } from './AppFrame';
import { CreateUserPanel } from './CreateUserPanel';
import { DemoCredentialsPanel } from './DemoCredentialsPanel';
import { installConnectHost } from './host/connect-host';
import { HostCore } from './host/host-core';
import { HostDialogs } from './HostDialogs';
import { HostFlags } from './HostFlags';
import { getSandboxState } from './sandbox-api';
import { SideNav } from './SideNav';
import { TopBar } from './TopBar';

export const CONFIGURE_DIALOG = { key: 'configure-automatic-access', title: 'Configure automatic access' };

export function SandboxApp() {
  const core = useMemo(() => new HostCore(), []);
  const snapshot = useSyncExternalStore(core.subscribe, core.getSnapshot);
  const load = useCallback(() => getSandboxState(), []);
  const { state, reload } = useResource(load);
  const sandbox = state.status === 'ready' ? state.data : null;

  useEffect(() => {
    if (!sandbox) return;
    return installConnectHost(core, {
      dialogs: { [CONFIGURE_DIALOG.key]: { url: sandbox.dialogUrl, title: CONFIGURE_DIALOG.title } },
    });
  }, [core, sandbox]);

  const dialogOpen = snapshot.dialogs.length > 0;
  return (
    <>
      <div className="sbx-shell" inert={dialogOpen}>
        <TopBar adminName={sandbox?.adminName} siteUrl={sandbox?.siteUrl} />
        <SideNav />
        <main className="sbx-main">
          {state.status === 'loading' ? <LoadingBlock label="Starting the sandbox" /> : null}
          {state.status === 'error' ? (
            <div className="sbx-main__message">
              <SectionMessage
                appearance="error"
                title="The sandbox could not start"
                actions={<Button onClick={() => void reload()}>Try again</Button>}
              >
                <p>{state.message}</p>
                <p>Is the server running in sandbox mode?</p>
              </SectionMessage>
            </div>
          ) : null}
          {sandbox ? <AppFrame src={sandbox.appPageUrl} /> : null}
        </main>
        <aside className="sbx-aside" aria-label="Sandbox tools">
          {sandbox ? (
            <>
              <DemoCredentialsPanel demo={sandbox.demo} />
              <CreateUserPanel />
            </>
          ) : null}
        </aside>
      </div>
      <HostDialogs core={core} dialogs={snapshot.dialogs} />
      <HostFlags core={core} flags={snapshot.flags} />
    </>
  );
}

import { useCallback, useEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import { useResource } from '../../src/lib/use-resource';
import Button from '@atlaskit/button/new';
import SectionMessage from '@atlaskit/section-message';
import { Loading as LoadingBlock } from '../../src/Loading';
import { APP_FRAME_TITLE, AppFrame } from './AppFrame';
import { CreateUserPanel } from './CreateUserPanel';
import { DemoCredentialsPanel, DemoOrganizationPanel } from './DemoCredentialsPanel';
import { installConnectHost } from './host/connect-host';
import { installForgeHost } from './host/forge-host';
import { HostCore } from './host/host-core';
import { HostDialogs } from './HostDialogs';
import { HostFlags } from './HostFlags';
import { forgeSiteOf, getSandboxState, hostFromLocation, type SandboxState } from './sandbox-api';
import { SideNav } from './SideNav';
import { useSandboxTheme } from './theme';
import { TopBar } from './TopBar';

export const CONFIGURE_DIALOG = { key: 'configure-automatic-access', title: 'Configure automatic access' };

/**
 * In Jira an administrator adds users on another page and then comes back to the app, whose
 * page refreshes its invitations when its window gets focus. The sandbox shows both side by
 * side, so after a user is created it plays that return: it fires the app frame's focus event
 * (without moving the keyboard focus) a few times while the app plans and sends the
 * invitations. The app's page ignores focus events less than 2 s apart.
 */
const APP_REFRESH_DELAYS_MS = [1_500, 4_000, 8_000];

function useAppFrameRefresh() {
  const frameRef = useRef<HTMLIFrameElement>(null);
  const timers = useRef<number[]>([]);
  useEffect(() => () => timers.current.forEach((timer) => window.clearTimeout(timer)), []);
  const refreshSoon = useCallback(() => {
    timers.current.forEach((timer) => window.clearTimeout(timer));
    timers.current = APP_REFRESH_DELAYS_MS.map((delay) =>
      window.setTimeout(() => frameRef.current?.contentWindow?.dispatchEvent(new FocusEvent('focus')), delay),
    );
  }, []);
  return { frameRef, refreshSoon };
}

function whyNoForge(state: SandboxState): string {
  return state.forge && 'unavailable' in state.forge ? state.forge.unavailable : 'This server does not play Forge.';
}

export function SandboxApp() {
  const core = useMemo(() => new HostCore(), []);
  const snapshot = useSyncExternalStore(core.subscribe, core.getSnapshot);
  const theme = useSandboxTheme(core);
  const load = useCallback(() => getSandboxState(), []);
  const { state, reload } = useResource(load);
  const sandbox = state.status === 'ready' ? state.data : null;
  const forgeSite = sandbox ? forgeSiteOf(sandbox) : null;
  // A Forge site (the Custom UI with a @forge/bridge stand-in) unless `?host=connect`, or this
  // server plays Connect only; nothing is installed in the page before the state says which.
  const host = hostFromLocation(window.location.search, sandbox === null || forgeSite !== null);
  const { frameRef, refreshSoon } = useAppFrameRefresh();

  useEffect(() => {
    if (!sandbox) return;
    if (host === 'forge') {
      const site = forgeSiteOf(sandbox);
      if (!site) return;
      return installForgeHost(core, {
        site: { ...site, accountId: sandbox.adminAccountId },
        resourceUrl: site.appPageUrl,
        // Jira names an app's modal after the app when the Modal has no title.
        untitledModalName: APP_FRAME_TITLE,
      });
    }
    return installConnectHost(core, {
      dialogs: { [CONFIGURE_DIALOG.key]: { url: sandbox.dialogUrl, title: CONFIGURE_DIALOG.title } },
    });
  }, [core, sandbox, host]);

  const forgeUnavailable = host === 'forge' && sandbox && !forgeSite ? whyNoForge(sandbox) : null;
  const appPageUrl = sandbox ? (host === 'forge' ? forgeSite?.appPageUrl : sandbox.appPageUrl) : undefined;
  const dialogOpen = snapshot.dialogs.length > 0;
  // React 18 has no `inert` prop, so the attribute is set on the element itself.
  const shellRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (shellRef.current) shellRef.current.inert = dialogOpen;
  }, [dialogOpen]);
  return (
    <>
      <div className="sbx-shell" ref={shellRef}>
        <TopBar
          host={host}
          adminName={sandbox?.adminName}
          siteUrl={host === 'forge' ? forgeSite?.siteUrl : sandbox?.siteUrl}
          theme={theme.choice}
          onTheme={theme.choose}
        />
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
          {forgeUnavailable ? (
            <div className="sbx-main__message">
              <SectionMessage appearance="warning" title="The sandbox can't play Forge">
                <p>{forgeUnavailable}</p>
                <p>
                  <a href="/sandbox/">Play Connect instead</a>
                </p>
              </SectionMessage>
            </div>
          ) : null}
          {appPageUrl ? <AppFrame src={appPageUrl} frameRef={frameRef} /> : null}
        </main>
        <aside className="sbx-aside" aria-label="Sandbox tools">
          {sandbox && !forgeUnavailable ? (
            <>
              <DemoCredentialsPanel demo={sandbox.demo} />
              {sandbox.demo.organization ? <DemoOrganizationPanel organization={sandbox.demo.organization} /> : null}
              <CreateUserPanel host={host} onCreated={refreshSoon} />
            </>
          ) : null}
        </aside>
      </div>
      <HostDialogs core={core} dialogs={snapshot.dialogs} />
      <HostFlags core={core} flags={snapshot.flags} />
    </>
  );
}

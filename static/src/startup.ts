// The start of the frame, outside React so that nothing waits for a render: picks the host
// bridge, follows the host's theme, asks whether this view is the dialog, and for the page starts
// loading its code and its first view's data at once (they used to follow each other: bundle,
// then the page's chunk, then a render, then the requests).
import { chooseBridge } from './host/choose-bridge';
import type { DialogData, HostBridge } from './host/host-bridge';
import type * as AdminPageModule from './page/AdminPage';
import { withSharedReads } from './host/shared-reads';
import { startFirstView, type FirstView } from './page/first-view';
import { followHostTheme } from './theme/host-theme';

export type Booted = { bridge: HostBridge; dialog: DialogData } | { bridge: HostBridge; dialog: null; firstView: FirstView };

let adminPage: Promise<typeof AdminPageModule> | undefined;
/** The page's chunk, asked for once: by the boot as soon as it knows this is the page, or by React. */
export function loadAdminPage(): Promise<typeof AdminPageModule> {
  adminPage ??= import('./page/AdminPage');
  return adminPage;
}

export function startBoot(info: unknown = window.__ATI_HOST__): Promise<Booted> {
  return (async (): Promise<Booted> => {
    const bridge = withSharedReads(await chooseBridge(info));
    const dialog = await bridge.dialogData();
    if (dialog) {
      void followHostTheme(() => bridge.enableTheming());
      document.documentElement.classList.add('ati-dialog-view');
      return { bridge, dialog };
    }
    // In this order: the browser opens only a few connections to a host at once, and the
    // requests the first view waits for longest (the host's token, then the reads) go first.
    const firstView = startFirstView(bridge);
    void followHostTheme(() => bridge.enableTheming());
    void loadAdminPage();
    return { bridge, dialog: null, firstView };
  })();
}

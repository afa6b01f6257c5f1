// HostBridge over Atlassian Connect's `window.AP` (all.js, or the sandbox's stand-in).
import { escapeHtml, fallbackMessage, parseBody, toApiResult, toDialogData } from './api-result';
import { CONFIGURE_DIALOG_KEY, type HostBridge } from './host-bridge';

/** The parts of the AP object this app uses. */
interface ConnectDialog {
  on: (event: 'close', handler: (data?: unknown) => void) => void;
}

export interface ConnectAP {
  context: { getToken: (callback?: (token: string) => void) => Promise<string> | void };
  dialog: {
    create: (options: { key: string; chrome?: boolean; width?: string; height?: string; customData?: unknown }) => ConnectDialog;
    getCustomData: (callback: (data: unknown) => void) => void;
    close: (data?: unknown) => void;
  };
  flag: {
    create: (options: { title: string; body?: string; type?: string; close?: 'auto' | 'manual' }) => unknown;
  };
  /** Connect's opt-in theming API: the host writes data-color-mode/data-theme on the iframe's <html> and keeps them current. */
  theming?: { initializeTheming: () => void };
}

declare global {
  interface Window {
    AP?: ConnectAP;
  }
}

function ap(): ConnectAP {
  const value = window.AP;
  if (!value) throw new Error('The Connect JavaScript API (all.js) did not load.');
  return value;
}

function getToken(): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    try {
      const maybe = ap().context.getToken((token) => resolve(token));
      if (maybe && typeof maybe.then === 'function') maybe.then(resolve, reject);
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

export function createConnectBridge(view: 'page' | 'dialog'): HostBridge {
  return {
    async request(method, path, body) {
      // Every call asks AP for the context token (AP renews it before it expires): the server
      // hands back no session token to reuse, and takes none.
      let token: string;
      try {
        token = await getToken();
      } catch {
        return { ok: false, status: 401, message: fallbackMessage(401) };
      }
      try {
        const response = await fetch(path, {
          method,
          headers: { Authorization: `JWT ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return toApiResult(response.status, parseBody(await response.text()));
      } catch {
        return { ok: false, status: 0, message: fallbackMessage(0) };
      }
    },

    openConfigureDialog(data) {
      return new Promise((resolve) => {
        const dialog = ap().dialog.create({
          key: CONFIGURE_DIALOG_KEY,
          chrome: false,
          width: '560px',
          height: '480px',
          customData: data,
        });
        dialog.on('close', (result) => {
          const saved = typeof result === 'object' && result !== null && (result as { saved?: unknown }).saved === true;
          resolve({ saved });
        });
      });
    },

    dialogData() {
      if (view !== 'dialog') return Promise.resolve(null);
      return new Promise((resolve) => ap().dialog.getCustomData((data) => resolve(toDialogData(data))));
    },

    closeDialog(result) {
      ap().dialog.close(result);
      return Promise.resolve();
    },

    enableTheming() {
      ap().theming?.initializeTheming();
      return Promise.resolve();
    },

    showFlag(flag) {
      // Connect renders the flag body as HTML: escape it.
      ap().flag.create({
        title: flag.title,
        body: flag.description === undefined ? undefined : escapeHtml(flag.description),
        type: flag.type,
        close: 'auto',
      });
    },
  };
}

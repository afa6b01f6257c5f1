// HostBridge over Forge's @forge/bridge. Only imported lazily (see choose-bridge.ts):
// @forge/bridge throws at import time outside a Forge iframe.
import { Modal, invokeRemote, showFlag, view } from '@forge/bridge';
import { toDialogData } from './api-result';
import { fromInvokeError, fromInvokeResult } from './forge-response';
import type { HostBridge } from './host-bridge';

let flagCounter = 0;

export function createForgeBridge(): HostBridge {
  return {
    async request(method, path, body) {
      try {
        const result: unknown = await invokeRemote({ path, method, body });
        return fromInvokeResult(result);
      } catch (error) {
        return fromInvokeError(error);
      }
    },

    openConfigureDialog(data) {
      return new Promise((resolve, reject) => {
        const modal = new Modal({
          // No resource: the modal opens this same Custom UI resource, which renders the
          // dialog view when its context carries `extension.modal`.
          size: 'medium',
          context: data,
          onClose: (payload?: unknown) => {
            const saved = typeof payload === 'object' && payload !== null && (payload as { saved?: unknown }).saved === true;
            resolve({ saved });
          },
        });
        modal.open().catch(reject);
      });
    },

    async dialogData() {
      const context = await view.getContext();
      return toDialogData((context.extension as { modal?: unknown } | undefined)?.modal);
    },

    closeDialog(result) {
      return view.close(result);
    },

    async enableTheming() {
      await view.theme.enable();
    },

    showFlag(flag) {
      flagCounter += 1;
      showFlag({
        id: `ati-flag-${Date.now()}-${flagCounter}`,
        title: flag.title,
        description: flag.description,
        type: flag.type,
        isAutoDismiss: true,
      });
    },
  };
}

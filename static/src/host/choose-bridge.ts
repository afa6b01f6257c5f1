// Picks the host bridge from `window.__ATI_HOST__` (set by the server on Connect pages).
// Absent means Forge: Forge serves the static resource as-is. The Forge bridge is imported
// lazily so that the Connect path never loads it.
import { createConnectBridge } from './connect-bridge';
import type { HostBridge } from './host-bridge';

export interface HostChoice {
  host: 'connect' | 'forge';
  view: 'page' | 'dialog';
}

export function readHostChoice(info: unknown): HostChoice {
  const value = (typeof info === 'object' && info !== null ? info : {}) as Partial<Record<string, unknown>>;
  return {
    host: value.host === 'connect' ? 'connect' : 'forge',
    view: value.view === 'dialog' ? 'dialog' : 'page',
  };
}

export async function chooseBridge(info: unknown = window.__ATI_HOST__): Promise<HostBridge> {
  const choice = readHostChoice(info);
  if (choice.host === 'connect') return createConnectBridge(choice.view);
  const { createForgeBridge } = await import('./forge-bridge');
  return createForgeBridge();
}

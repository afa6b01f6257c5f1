import { createContext, useContext } from 'react';
import type { HostBridge } from './host-bridge';

export const BridgeContext = createContext<HostBridge | null>(null);

export function useBridge(): HostBridge {
  const bridge = useContext(BridgeContext);
  if (!bridge) throw new Error('useBridge() outside <BridgeContext.Provider>');
  return bridge;
}

import { useEffect } from 'react';

/**
 * Reloads silently every `intervalMs` while the page is shown (a hidden tab asks nothing), for as
 * long as `enabled` holds.
 */
export function useRefreshWhileVisible(reload: (options: { silent: boolean }) => Promise<void>, intervalMs: number, enabled = true): void {
  useEffect(() => {
    if (!enabled) return;
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') void reload({ silent: true });
    }, intervalMs);
    return () => window.clearInterval(timer);
  }, [reload, intervalMs, enabled]);
}

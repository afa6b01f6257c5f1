import type { ConnectAddon } from './connect-addon.js';

const TTL_MS = 10_000;
const caches = new WeakMap<ConnectAddon, Map<string, { value: unknown; until: number }>>();

/**
 * ACE reads the install (clientInfo) from the database on every authenticated request. A short
 * cache in front of its store takes that query off the webhook's hot path. This instance forgets
 * an entry when it handles that site's install or uninstall; other instances see a reinstall's
 * new shared secret within the TTL (a webhook refused meanwhile is retried by Jira).
 */
export function cacheClientInfo(addon: ConnectAddon): void {
  const cache = new Map<string, { value: unknown; until: number }>();
  caches.set(addon, cache);
  const store = addon.settings;
  const read = store.get.bind(store);
  store.get = (async (key: string, clientKey: string) => {
    if (key !== 'clientInfo') return read(key, clientKey);
    const hit = cache.get(clientKey);
    if (hit && hit.until > Date.now()) return hit.value;
    const value = await read(key, clientKey);
    if (value) {
      if (cache.size > 10_000) cache.clear();
      cache.set(clientKey, { value, until: Date.now() + TTL_MS });
    }
    return value;
  }) as typeof store.get;
}

export function forgetClientInfo(addon: ConnectAddon, clientKey: string): void {
  caches.get(addon)?.delete(clientKey);
}

// The page's sections each load what they show, and several show the same thing (the linked
// accounts, the site status): on the first load that was 17 requests at once for 9 answers, and
// the server answered the one the main table waits for last. This bridge shares reads:
// - a GET asked while the same GET is on its way joins it;
// - `prime` starts the first view's reads before its code has even loaded; the sections that
//   mount in the same moment take those answers instead of asking again.
// A write (any other method) drops both, so a read asked after a change never gets an older answer.
import type { ApiResult, HostBridge } from './host-bridge';

/** A primed answer no section asked for within this time is dropped: a section mounted later asks afresh. */
const PRIMED_MS = 10_000;

export interface SharedReadsBridge extends HostBridge {
  /** Runs `reads` (calls of the api/ functions) now, keeping their answers for the sections that will ask for them. */
  prime: <R>(reads: (bridge: HostBridge) => R) => R;
}

export function withSharedReads(bridge: HostBridge): SharedReadsBridge {
  const inFlight = new Map<string, Promise<ApiResult<unknown>>>();
  const primed = new Map<string, Promise<ApiResult<unknown>>>();

  const read = (path: string): Promise<ApiResult<unknown>> => {
    const answer = bridge.request<unknown>('GET', path).finally(() => {
      if (inFlight.get(path) === answer) inFlight.delete(path);
    });
    inFlight.set(path, answer);
    return answer;
  };

  const shared: SharedReadsBridge = {
    ...bridge,
    request<T>(method: Parameters<HostBridge['request']>[0], path: string, body?: unknown) {
      if (method !== 'GET') {
        inFlight.clear();
        primed.clear();
        return bridge.request<T>(method, path, body);
      }
      const early = primed.get(path);
      if (early) {
        // Every section that mounts in this moment takes the primed answer; later reads ask afresh.
        setTimeout(() => {
          if (primed.get(path) === early) primed.delete(path);
        }, 0);
        return early as Promise<ApiResult<T>>;
      }
      return (inFlight.get(path) ?? read(path)) as Promise<ApiResult<T>>;
    },
    prime(reads) {
      return reads({
        ...shared,
        request<T>(method: Parameters<HostBridge['request']>[0], path: string, body?: unknown) {
          if (method !== 'GET') return shared.request<T>(method, path, body);
          const answer = inFlight.get(path) ?? read(path);
          primed.set(path, answer);
          setTimeout(() => {
            if (primed.get(path) === answer) primed.delete(path);
          }, PRIMED_MS);
          return answer as Promise<ApiResult<T>>;
        },
      });
    },
  };
  return shared;
}

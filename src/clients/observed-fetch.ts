/** Told how each HTTP call of a client ended (its status, or no answer at all) and how long it took. */
export type CallObserver = (status: number | 'timeout' | 'failed', seconds: number) => void;

/** fetch, reporting to `observe`: the one place each client's calls are timed (until the answer's headers). */
export async function observedFetch(observe: CallObserver | undefined, url: string | URL, init: RequestInit): Promise<Response> {
  if (!observe) return fetch(url, init);
  const started = performance.now();
  try {
    const response = await fetch(url, init);
    observe(response.status, (performance.now() - started) / 1000);
    return response;
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    observe(timedOut ? 'timeout' : 'failed', (performance.now() - started) / 1000);
    throw error;
  }
}

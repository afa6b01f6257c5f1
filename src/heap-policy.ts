import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what the last full collection left alive before it
 * collects again: 50 %, where V8 by itself takes up to 300 % (a factor of 4) on a machine with this
 * much memory. The app keeps little alive (about 40 MB of heap in an instance at work), but its
 * jobs and requests wait on the database and on HTTP with their objects in hand, so many of those
 * objects outlive the young generation and die in the old one. With V8's own factor, an instance
 * that collected fully once, at start, with about 30 MB alive let that garbage pile up to 120 MB
 * before the next full collection: a worker instance reached 214–219 MB resident in the latency
 * benchmark's burst, with 39 MB of its heap alive (README, "What holds a worker instance's memory").
 * At 50 % a full collection comes every 20 MB or so of such garbage, with pauses of 10–42 ms; the
 * instances stay at 150–160 MB.
 *
 * Set here, by the first module the app loads, rather than on node's command line: node does not
 * take this flag in NODE_OPTIONS, and a platform that starts `node dist/src/main.js` itself must get
 * it too. V8 reads it whenever it sets the next limit, so setting it before the rest of the app is
 * loaded covers the first full collection. A `--heap-growing-percent` on node's command line wins
 * (`=0` gives V8's own policy back), for measuring one against the other.
 */
export const HEAP_GROWING_PERCENT = 50;

export function applyHeapPolicy(execArgv: readonly string[] = process.execArgv): void {
  if (execArgv.some((arg) => arg.startsWith('--heap-growing-percent') || arg.startsWith('--heap_growing_percent'))) return;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

applyHeapPolicy();

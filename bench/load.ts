import { readFileSync } from 'node:fs';

/** A bounded load: `count` requests, at most `concurrency` in flight, each timed. */
export type LoadResult = { count: number; seconds: number; perSecond: number; p50Ms: number; p95Ms: number; p99Ms: number; failures: number };

export async function runLoad(count: number, concurrency: number, send: (index: number) => Promise<number>): Promise<LoadResult> {
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    for (;;) {
      const index = next++;
      if (index >= count) return;
      const t0 = performance.now();
      const status = await send(index).catch(() => 0);
      latencies.push(performance.now() - t0);
      if (status < 200 || status >= 300) failures++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { count, seconds, perSecond: count / seconds, p50Ms: at(0.5), p95Ms: at(0.95), p99Ms: at(0.99), failures };
}

export function peakRssMb(pid: number): number {
  // VmHWM: the process's peak resident set size, in kB.
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

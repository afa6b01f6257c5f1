import { readFileSync } from 'node:fs';
import http from 'node:http';

/** Requests in flight at once in a bounded load. */
export const CONCURRENCY = 32;

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

/** POST with a keep-alive agent: the load generator should cost less than the server it measures. */
export function post(url: string, authorization: string, body: unknown, headers: Record<string, string> = {}): Promise<number> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { Authorization: authorization, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload), ...headers },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

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
  return summarise(latencies, failures, (performance.now() - started) / 1000);
}

/**
 * An open load: one request every 1/`perSecond` s until `until()` says stop (checked each second),
 * each timed from when it was due, so a slow server cannot slow the arrivals down.
 */
export async function runPaced(perSecond: number, until: () => Promise<boolean>, send: (index: number) => Promise<number>): Promise<LoadResult> {
  const latencies: number[] = [];
  const inFlight: Promise<void>[] = [];
  let failures = 0;
  const started = performance.now();
  let stop = false;
  const watcher = (async () => {
    while (!stop) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      stop = await until();
    }
  })();
  for (let index = 0; !stop; index++) {
    const due = started + (index * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(
      send(index)
        .catch(() => 0)
        .then((status) => {
          latencies.push(performance.now() - due);
          if (status < 200 || status >= 300) failures++;
        }),
    );
  }
  await watcher;
  await Promise.all(inFlight);
  const seconds = (performance.now() - started) / 1000;
  return summarise(latencies, failures, seconds);
}

function summarise(latencies: number[], failures: number, seconds: number): LoadResult {
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { count: latencies.length, seconds, perSecond: latencies.length / seconds, p50Ms: at(0.5), p95Ms: at(0.95), p99Ms: at(0.99), failures };
}

export function peakRssMb(pid: number): number {
  // VmHWM: the process's peak resident set size, in kB.
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** CPU time (user + system) the process has used so far, in seconds; Linux counts it in ticks of 1/100 s. */
export function cpuSeconds(pid: number): number {
  // The fields after the command name, which is in parentheses and may hold spaces.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are the stat file's 14th and 15th fields, the 12th and 13th after the name.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CONCURRENCY, runLoad } from './load.js';

const REQUESTS = 20_000;

/**
 * How fast this machine is at what the app spends most of its time on (HTTP on loopback), with
 * none of the app in it: a bare `node:http` server answering 204, and the bench's own load
 * generator, in one process. Printed first in every run, so that figures taken on different days,
 * or on different machines, can be told apart from changes in the app.
 */
export async function machineYardstick(): Promise<number> {
  const server = http.createServer((_request, response) => {
    response.statusCode = 204;
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const send = () =>
    new Promise<number>((resolve, reject) => {
      const request = http.request({ host: '127.0.0.1', port, method: 'POST', agent }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      });
      request.on('error', reject);
      request.end('{}');
    });
  try {
    await runLoad(2_000, CONCURRENCY, send);
    const rounds = [];
    for (let round = 0; round < 3; round++) rounds.push((await runLoad(REQUESTS, CONCURRENCY, send)).perSecond);
    return rounds.sort((a, b) => a - b)[1]!;
  } finally {
    agent.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
}

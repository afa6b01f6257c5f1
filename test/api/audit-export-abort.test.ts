import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setActor } from '../../src/entry/api/actor.js';
import { auditRoutes, JSON_EXPORT_MAX_CHARACTERS } from '../../src/entry/api/audit-routes.js';
import type { AuditRecord } from '../../src/persistence/audit-log.js';
import { eventually } from '../support/test-app.js';

/**
 * A download the admin abandons (closed tab, lost connection) must not leave the export waiting
 * forever for the socket to drain: it stops reading the log and lets go of it.
 */
describe('an audit export larger than one answer can carry', () => {
  let server: http.Server;
  let url: string;
  const log = { read: 0, released: false };

  beforeAll(async () => {
    // An endless log: only a client that reads on (or leaves) ends the download.
    async function* each(): AsyncGenerator<AuditRecord> {
      try {
        for (let i = 0; ; i++) {
          log.read++;
          yield {
            id: String(i),
            at: new Date(),
            actorAccountId: 'admin-1',
            linkedAccountId: null,
            action: 'rule.changed',
            subject: 'x'.repeat(500),
            before: null,
            after: null,
          };
          if (i % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
        }
      } finally {
        log.released = true;
      }
    }
    const app = express();
    app.use((_req, res, next) => {
      setActor(res, { tenantId: 'tenant-1', accountId: 'admin-1' });
      next();
    });
    app.use(auditRoutes({ audit: { list: () => Promise.reject(new Error('not used')), each } }));
    server = app.listen(0);
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/audit-log/export`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('stops reading the log and releases it once the connection is gone', async () => {
    await new Promise<void>((resolve, reject) => {
      const request = http.get(url, (response) => {
        expect(response.statusCode).toBe(200);
        // Read nothing more: the server's buffers fill up, then the client goes away.
        response.pause();
        setTimeout(() => {
          request.destroy();
          resolve();
        }, 300);
      });
      request.on('error', () => undefined);
      setTimeout(() => reject(new Error('no answer')), 5_000);
    });
    await eventually(async () => log.released, 5_000, 'the export to let go of the log');
    const readAtRelease = log.read;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(log.read).toBe(readAtRelease);
  });

  it('gives the page the newest entries up to its cap, says the copy is not complete, and lets go of the log', async () => {
    log.released = false;
    const response = await fetch(`${url}?as=json`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { csv: string; rows: number; complete: boolean };
    expect(body.complete).toBe(false);
    expect(body.csv.length).toBeLessThanOrEqual(JSON_EXPORT_MAX_CHARACTERS);
    expect(body.csv.split('\r\n').filter((line) => line !== '')).toHaveLength(body.rows + 1);
    expect(body.rows).toBeGreaterThan(1_000);
    await eventually(async () => log.released, 5_000, 'the export to let go of the log');
  });
});

import { Router, type Response } from 'express';
import type { AuditLog, AuditRecord } from '../../persistence/audit-log.js';
import { actorOf } from './actor.js';
import { asyncRoute } from './async-route.js';
import { auditExportQuery, auditQuery } from './backfill-schemas.js';
import { csvRow } from './csv.js';

const COLUMNS = ['at', 'actorAccountId', 'linkedAccountId', 'action', 'subject', 'before', 'after'] as const;

/** What the page's export carries at most: well within what a host relays in one answer. */
export const JSON_EXPORT_MAX_CHARACTERS = 4_000_000;

const present = (entry: AuditRecord) => ({ ...entry, at: entry.at.toISOString() });

function drainedOrClosed(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

/** The audit log: a page at a time for the admin page, or all of it as CSV. */
export function auditRoutes(deps: { audit: Pick<AuditLog, 'list' | 'each'> }): Router {
  const router = Router();

  router.get(
    '/audit-log',
    asyncRoute(async (req, res) => {
      const query = auditQuery.parse(req.query);
      const { entries, total } = await deps.audit.list(actorOf(res).tenantId, {
        ...(query.linkedAccountId ? { linkedAccountId: query.linkedAccountId } : {}),
        page: query.page,
        pageSize: query.pageSize,
      });
      res.json({ entries: entries.map(present), page: query.page, pageSize: query.pageSize, total });
    }),
  );

  router.get(
    '/audit-log/export',
    asyncRoute(async (req, res) => {
      const query = auditExportQuery.parse(req.query);
      const entries = deps.audit.each(actorOf(res).tenantId, query.linkedAccountId ? { linkedAccountId: query.linkedAccountId } : {});
      const filename = `audit-log-${new Date().toISOString().slice(0, 10)}.csv`;
      if (query.as === 'json') {
        // The page's copy travels inside one JSON answer through the host (Connect's AP.request,
        // Forge's invokeRemote), which caps what it carries: the newest entries up to the cap, and
        // the page says when that is not all of them.
        let csv = csvRow([...COLUMNS]);
        let rows = 0;
        let complete = true;
        for await (const entry of entries) {
          const row = csvRow(COLUMNS.map((column) => entry[column]));
          if (csv.length + row.length > JSON_EXPORT_MAX_CHARACTERS) {
            complete = false;
            break; // ends the log's reading, too
          }
          csv += row;
          rows++;
        }
        res.json({ filename, csv, rows, complete });
        return;
      }
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
      res.write(csvRow([...COLUMNS]));
      for await (const entry of entries) {
        // A download the client left ends here, releasing the log (a closed socket never drains).
        if (res.destroyed) return;
        // Honour back-pressure: a slow download holds one batch, not the whole log.
        if (!res.write(csvRow(COLUMNS.map((column) => entry[column])))) await drainedOrClosed(res);
      }
      res.end();
    }),
  );

  return router;
}

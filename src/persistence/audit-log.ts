import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { AuditTrail } from '../domain/retry-all.js';
import type { AuditEntry } from '../domain/stores.js';

/** One line of the log as the admin page and the CSV export show it. */
export type AuditRecord = {
  id: string;
  at: Date;
  actorAccountId: string | null;
  linkedAccountId: string | null;
  action: string;
  subject: string;
  before: unknown;
  after: unknown;
};

export type AuditFilter = { linkedAccountId?: string };

type AuditRow = {
  id: string;
  at: Date;
  actor_account_id: string | null;
  linked_account_id: string | null;
  action: string;
  subject: string;
  before: unknown;
  after: unknown;
};

const toRecord = (row: AuditRow): AuditRecord => ({
  id: String(row.id),
  at: row.at,
  actorAccountId: row.actor_account_id,
  linkedAccountId: row.linked_account_id,
  action: row.action,
  subject: row.subject,
  before: row.before,
  after: row.after,
});

/**
 * Who changed what, when, with the value before and after. Never holds credentials. An entry is
 * written in the transaction of the change it records, so neither exists without the other.
 */
export class AuditLog implements AuditTrail {
  constructor(private readonly sequelize: Sequelize) {}

  async record(entry: AuditEntry, transaction: Transaction): Promise<void> {
    await this.sequelize.query(
      `INSERT INTO audit_log (tenant_id, actor_account_id, linked_account_id, action, subject, before, after)
       VALUES (:tenantId, :actor, :linkedAccountId, :action, :subject, CAST(:before AS jsonb), CAST(:after AS jsonb))`,
      {
        replacements: {
          tenantId: entry.tenantId,
          actor: entry.actorAccountId,
          linkedAccountId: entry.linkedAccountId ?? null,
          action: entry.action,
          subject: entry.subject,
          before: JSON.stringify(entry.before ?? null),
          after: JSON.stringify(entry.after ?? null),
        },
        transaction,
      },
    );
  }

  /** For an action that spans many transactions (one per invitation retried): its entry, on its own. */
  async append(entry: AuditEntry): Promise<void> {
    await this.sequelize.transaction((transaction) => this.record(entry, transaction));
  }

  /** Latest first, a page at a time. */
  async list(tenantId: string, filter: AuditFilter & { page: number; pageSize: number }): Promise<{ entries: AuditRecord[]; total: number }> {
    const where = this.#where(filter);
    const replacements = {
      tenantId,
      linkedAccountId: filter.linkedAccountId ?? null,
      limit: filter.pageSize,
      offset: (filter.page - 1) * filter.pageSize,
    };
    const [rows, counted] = await Promise.all([
      this.sequelize.query<AuditRow>(`SELECT * FROM audit_log WHERE ${where} ORDER BY at DESC, id DESC LIMIT :limit OFFSET :offset`, {
        replacements,
        type: QueryTypes.SELECT,
      }),
      this.sequelize.query<{ total: string }>(`SELECT count(*) AS total FROM audit_log WHERE ${where}`, { replacements, type: QueryTypes.SELECT }),
    ]);
    return { entries: rows.map(toRecord), total: Number(counted[0]!.total) };
  }

  /** Every entry, latest first (by id: the order they were written), in batches, so an export of any size holds one batch at a time. */
  async *each(tenantId: string, filter: AuditFilter, batchSize = 500): AsyncGenerator<AuditRecord> {
    let before: string | null = null;
    for (;;) {
      const rows: AuditRow[] = await this.sequelize.query<AuditRow>(
        `SELECT * FROM audit_log WHERE ${this.#where(filter)} ${before ? 'AND id < :before' : ''} ORDER BY id DESC LIMIT :limit`,
        { replacements: { tenantId, linkedAccountId: filter.linkedAccountId ?? null, before, limit: batchSize }, type: QueryTypes.SELECT },
      );
      for (const row of rows) yield toRecord(row);
      if (rows.length < batchSize) return;
      before = String(rows[rows.length - 1]!.id);
    }
  }

  #where(filter: AuditFilter): string {
    return filter.linkedAccountId ? 'tenant_id = :tenantId AND linked_account_id = :linkedAccountId' : 'tenant_id = :tenantId';
  }
}

import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { AuditEntry, AuditTrail } from '../domain/stores.js';


/** Who changed what, when, with the value before and after. Never holds credentials. */
export class AuditLog implements AuditTrail {
  constructor(private readonly sequelize: Sequelize) {}

  async record(entry: AuditEntry, transaction?: Transaction): Promise<void> {
    await this.sequelize.query(
      `INSERT INTO audit_log (tenant_id, actor_account_id, action, subject, before, after)
       VALUES (:tenantId, :actor, :action, :subject, CAST(:before AS jsonb), CAST(:after AS jsonb))`,
      {
        replacements: {
          tenantId: entry.tenantId,
          actor: entry.actorAccountId,
          action: entry.action,
          subject: entry.subject,
          before: JSON.stringify(entry.before ?? null),
          after: JSON.stringify(entry.after ?? null),
        },
        ...(transaction ? { transaction } : {}),
      },
    );
  }

  async list(tenantId: string, limit = 50): Promise<(AuditEntry & { at: Date })[]> {
    const rows = await this.sequelize.query<{
      tenant_id: string; actor_account_id: string | null; action: string; subject: string; before: unknown; after: unknown; at: Date;
    }>('SELECT * FROM audit_log WHERE tenant_id = :tenantId ORDER BY at DESC, id DESC LIMIT :limit', {
      replacements: { tenantId, limit },
      type: QueryTypes.SELECT,
    });
    return rows.map((r) => ({
      tenantId: r.tenant_id,
      actorAccountId: r.actor_account_id,
      action: r.action,
      subject: r.subject,
      before: r.before,
      after: r.after,
      at: r.at,
    }));
  }
}

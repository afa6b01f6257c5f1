import type { Sequelize } from 'sequelize';
import type { AuditEntry, AuditTrail } from '../domain/stores.js';

/** Who changed what, when, with the value before and after. Never holds credentials. */
export class AuditLog implements AuditTrail {
  constructor(private readonly sequelize: Sequelize) {}

  async record(entry: AuditEntry): Promise<void> {
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
      },
    );
  }
}

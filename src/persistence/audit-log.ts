import type { Sequelize, Transaction } from 'sequelize';
import type { AuditEntry } from '../domain/stores.js';

/**
 * Who changed what, when, with the value before and after. Never holds credentials. An entry is
 * written in the transaction of the change it records, so neither exists without the other.
 */
export class AuditLog {
  constructor(private readonly sequelize: Sequelize) {}

  async record(entry: AuditEntry, transaction: Transaction): Promise<void> {
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
        transaction,
      },
    );
  }
}

import { QueryTypes, type Sequelize } from 'sequelize';
import type { NewUser } from '../domain/model.js';
import type { NewUserStore, StoredNewUser } from '../domain/stores.js';
import { JOBS, type JobQueue } from '../jobs/job-queue.js';

export class NewUserRepository implements NewUserStore {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly queue: JobQueue,
  ) {}

  /**
   * Records a new user and schedules the planning of their invitations, atomically.
   * The unique (tenant, account) key makes this the deduplication point: a webhook Jira
   * retries, or a second event for the same user, records nothing and schedules nothing.
   */
  async record(tenantId: string, user: NewUser, eventId: string | null): Promise<{ recorded: boolean }> {
    const recorded = await this.sequelize.transaction(async (transaction) => {
      const rows = await this.sequelize.query<{ id: string }>(
        `INSERT INTO new_users (tenant_id, account_id, display_name, email, account_type, event_id)
         VALUES (:tenantId, :accountId, :displayName, :email, :accountType, :eventId)
         ON CONFLICT (tenant_id, account_id) DO NOTHING RETURNING id`,
        {
          replacements: {
            tenantId,
            accountId: user.accountId,
            displayName: user.displayName,
            email: user.email,
            accountType: user.accountType,
            eventId,
          },
          type: QueryTypes.SELECT,
          transaction,
        },
      );
      if (!rows[0]) return false;
      await this.queue.send(JOBS.planInvitations, { newUserId: rows[0].id }, transaction);
      return true;
    });
    if (recorded) this.queue.nudge(JOBS.planInvitations);
    return { recorded };
  }

  async find(id: string): Promise<StoredNewUser | null> {
    const [row] = await this.sequelize.query<{
      id: string; tenant_id: string; account_id: string; display_name: string | null; email: string | null;
      account_type: string | null; planned_at: Date | null;
    }>('SELECT * FROM new_users WHERE id = :id', { replacements: { id }, type: QueryTypes.SELECT });
    if (!row) return null;
    return {
      id: row.id,
      tenantId: row.tenant_id,
      accountId: row.account_id,
      displayName: row.display_name,
      email: row.email,
      accountType: row.account_type,
      plannedAt: row.planned_at,
    };
  }
}

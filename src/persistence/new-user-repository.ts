import { QueryTypes, type Sequelize } from 'sequelize';
import type { NewUser } from '../domain/model.js';
import type { NewUserStore, Recording, SiteRef, StoredNewUser } from '../domain/stores.js';
import { JOBS, unlistedIdsSql, type JobQueue } from '../jobs/job-queue.js';
import { NewUserInbox } from './new-user-inbox.js';

export class NewUserRepository implements NewUserStore {
  readonly #inbox: NewUserInbox;

  constructor(
    private readonly sequelize: Sequelize,
    private readonly queue: JobQueue,
  ) {
    this.#inbox = new NewUserInbox(sequelize, queue);
  }

  /**
   * Records a new user and schedules the planning of their invitations, atomically (the inbox
   * writes the row and its job in one statement). The unique (tenant, account) key makes this
   * the deduplication point: a webhook Jira retries, or a second event for the same user,
   * records nothing and schedules nothing.
   */
  record(site: SiteRef, user: NewUser, eventId: string | null): Promise<Recording> {
    return this.#inbox.record(site, user, eventId);
  }

  /**
   * The planning job of a batch of new users is retried by pg-boss, but once it gives up (a bug, a
   * long database outage), nothing else would plan those users: each sweep hands the ones still
   * unplanned, with no live job listing them, to a new planning job, so no new user is lost.
   */
  async recoverUnplanned(limit: number): Promise<number> {
    const count = await this.sequelize.transaction(async (transaction) => {
      // SKIP LOCKED: another instance sweeping at the same moment takes other users, never the same one.
      const rows = await this.sequelize.query<{ id: string }>(
        `SELECT n.id FROM new_users n
         WHERE n.id = ANY (${unlistedIdsSql(JOBS.planInvitations, 'newUserIds', 'SELECT id::text FROM new_users WHERE planned_at IS NULL')}::uuid[])
           AND n.planned_at IS NULL
         ORDER BY n.received_at LIMIT :limit FOR UPDATE SKIP LOCKED`,
        { replacements: { limit }, type: QueryTypes.SELECT, transaction },
      );
      if (rows.length > 0) await this.queue.send(JOBS.planInvitations, { newUserIds: rows.map((row) => row.id) }, transaction);
      return rows.length;
    });
    if (count > 0) this.queue.nudge(JOBS.planInvitations);
    return count;
  }

  async find(id: string): Promise<StoredNewUser | null> {
    const [row] = await this.sequelize.query<{
      id: string;
      tenant_id: string;
      account_id: string;
      display_name: string | null;
      email: string | null;
      account_type: string | null;
      planned_at: Date | null;
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

import { QueryTypes, type Sequelize } from 'sequelize';
import type { NewUser } from '../domain/model.js';
import type { NewUserStore, Recording, SiteRef, StoredNewUser } from '../domain/stores.js';
import type { JobQueue } from '../jobs/job-queue.js';
import { NewUserInbox } from './new-user-inbox.js';

export class NewUserRepository implements NewUserStore {
  readonly #inbox: NewUserInbox;

  constructor(
    private readonly sequelize: Sequelize,
    queue: JobQueue,
  ) {
    this.#inbox = new NewUserInbox(sequelize, queue);
  }

  /**
   * Records a new user and schedules the planning of their invitations, atomically (the inbox
   * writes the row and its job in one transaction). The unique (tenant, account) key makes this
   * the deduplication point: a webhook Jira retries, or a second event for the same user,
   * records nothing and schedules nothing.
   */
  record(site: SiteRef, user: NewUser, eventId: string | null): Promise<Recording> {
    return this.#inbox.record(site, user, eventId);
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

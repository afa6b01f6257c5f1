import { QueryTypes, type Sequelize } from 'sequelize';
import type { NewUser } from '../domain/model.js';
import { JOBS, type JobQueue } from '../jobs/job-queue.js';

type Pending = {
  tenantId: string;
  user: NewUser;
  eventId: string | null;
  resolve: (value: { recorded: boolean }) => void;
  reject: (error: unknown) => void;
};

const MAX_BATCH = 200;
const MAX_FLUSHES_IN_FLIGHT = 2;

/**
 * Records new users with group commit: requests that arrive while a write is in flight are
 * written together, in one transaction that inserts their rows and their planning jobs. Each
 * request still gets its answer only after its own row and job are committed, so an answer of
 * 2xx always means "durably recorded", and a burst of webhooks costs a few transactions, not
 * one per request.
 */
export class NewUserInbox {
  #pending: Pending[] = [];
  #inFlight = 0;

  constructor(
    private readonly sequelize: Sequelize,
    private readonly queue: JobQueue,
  ) {}

  record(tenantId: string, user: NewUser, eventId: string | null): Promise<{ recorded: boolean }> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ tenantId, user, eventId, resolve, reject });
      this.#flushSoon();
    });
  }

  #flushSoon(): void {
    if (this.#inFlight >= MAX_FLUSHES_IN_FLIGHT || this.#pending.length === 0) return;
    const batch = this.#pending.splice(0, MAX_BATCH);
    this.#inFlight++;
    this.#write(batch)
      .then((recorded) => {
        for (const item of batch) item.resolve({ recorded: recorded.has(key(item.tenantId, item.user.accountId)) });
        if (recorded.size > 0) this.queue.nudge(JOBS.planInvitations);
      })
      .catch((error: unknown) => {
        for (const item of batch) item.reject(error);
      })
      .finally(() => {
        this.#inFlight--;
        this.#flushSoon();
      });
  }

  async #write(batch: Pending[]): Promise<Set<string>> {
    return this.sequelize.transaction(async (transaction) => {
      const rows = await this.sequelize.query<{ id: string; tenant_id: string; account_id: string }>(
        `INSERT INTO new_users (tenant_id, account_id, display_name, email, account_type, event_id)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
         ON CONFLICT (tenant_id, account_id) DO NOTHING
         RETURNING id, tenant_id, account_id`,
        {
          bind: [
            batch.map((p) => p.tenantId),
            batch.map((p) => p.user.accountId),
            batch.map((p) => p.user.displayName),
            batch.map((p) => p.user.email),
            batch.map((p) => p.user.accountType),
            batch.map((p) => p.eventId),
          ],
          type: QueryTypes.SELECT,
          transaction,
        },
      );
      if (rows.length > 0) {
        await this.queue.insert(
          rows.map((row) => ({ name: JOBS.planInvitations, data: { newUserId: row.id } })),
          transaction,
        );
      }
      return new Set(rows.map((row) => key(row.tenant_id, row.account_id)));
    });
  }
}

const key = (tenantId: string, accountId: string) => `${tenantId}\u0000${accountId}`;

import type pg from 'pg';
import type { Sequelize } from 'sequelize';
import type { NewUser } from '../domain/model.js';
import type { Recording, SiteRef } from '../domain/stores.js';
import { enqueueSql, JOBS, type JobQueue } from '../jobs/job-queue.js';

type Pending = {
  site: SiteRef;
  user: NewUser;
  eventId: string | null;
  resolve: (value: Recording) => void;
  reject: (error: unknown) => void;
};

const MAX_BATCH = 200;
/**
 * One batch written at a time: while it is, the next batch gathers every request that arrives.
 * Measured with `npm run bench -- ingest`, two in flight made twice the statements of half the
 * size for the same requests, and the webhook's throughput fell from 0.72 to 0.55 of the no-op
 * route's; a user arriving alone is written at once either way.
 */
const MAX_WRITES_IN_FLIGHT = 1;
const FOREIGN_KEY_VIOLATION = '23503';
/**
 * SQLSTATE classes an item's own values can raise: data exception (22, e.g. a NUL in text),
 * integrity constraint violation (23) and program limit exceeded (54, e.g. an oversized key).
 * A lost connection or an overloaded server fails every item alike; splitting the batch then
 * would only multiply the wait.
 */
const CAUSED_BY_DATA = ['22', '23', '54'];

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function causedByData(error: unknown): boolean {
  const code = sqlState(error);
  return code !== undefined && code.length === 5 && CAUSED_BY_DATA.includes(code.slice(0, 2));
}

/**
 * The whole of recording a batch, as one statement: PostgreSQL runs it atomically without a
 * transaction of its own, so a batch costs one round trip. It resolves each event's site,
 * inserts the users not yet known, notes that Jira still sends events to each site of the batch
 * (tenants.last_event_at, for the admin page: at most once a minute per site, and a site whose
 * row another batch is noting at that moment is left to that batch rather than waited for), and
 * enqueues one planning job for the users it inserted, naming the event of each, which wakes
 * the workers of every instance when the statement commits.
 */
const RECORD_NEW_USERS = `WITH incoming AS (
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
      WITH ORDINALITY AS n(tenant_id, host, host_key, account_id, display_name, email, account_type, event_id, position)
  ),
  resolved AS (
    SELECT incoming.*, site.id AS site_id FROM incoming
    LEFT JOIN LATERAL (
      SELECT id FROM tenants
      WHERE (incoming.tenant_id IS NOT NULL AND id = incoming.tenant_id)
         OR (incoming.tenant_id IS NULL AND host = incoming.host AND host_key = incoming.host_key)
    ) site ON true
  ),
  inserted AS (
    INSERT INTO new_users (tenant_id, account_id, display_name, email, account_type, event_id)
    SELECT site_id, account_id, display_name, email, account_type, event_id FROM resolved WHERE site_id IS NOT NULL
    ON CONFLICT (tenant_id, account_id) DO NOTHING
    RETURNING id, tenant_id, account_id, event_id
  ),
  first_seen AS (
    SELECT inserted.id, inserted.event_id, min(resolved.position) AS position FROM inserted
    JOIN resolved ON resolved.site_id = inserted.tenant_id AND resolved.account_id = inserted.account_id
    GROUP BY inserted.id, inserted.event_id
  ),
  planning AS (
    ${enqueueSql(
      JOBS.planInvitations,
      `jsonb_build_object(
        'newUserIds', (SELECT jsonb_agg(id ORDER BY position) FROM first_seen),
        'eventIds', COALESCE((SELECT jsonb_object_agg(id, event_id) FROM first_seen WHERE event_id IS NOT NULL), '{}'::jsonb))`,
      'EXISTS (SELECT 1 FROM inserted)',
    )}
  ),
  noted AS (
    UPDATE tenants SET last_event_at = now()
    WHERE id IN (
      SELECT id FROM tenants
      WHERE id IN (SELECT site_id FROM resolved) AND (last_event_at IS NULL OR last_event_at < now() - interval '1 minute')
      FOR NO KEY UPDATE SKIP LOCKED
    )
  )
  SELECT resolved.position, resolved.site_id AS tenant_id, inserted.id AS new_user_id, known.id AS known_user_id,
    (SELECT count(*) FROM planning) AS planning_jobs
  FROM resolved
  LEFT JOIN inserted ON inserted.tenant_id = resolved.site_id AND inserted.account_id = resolved.account_id
  LEFT JOIN new_users known ON known.tenant_id = resolved.site_id AND known.account_id = resolved.account_id
  ORDER BY resolved.position`;

/**
 * Records new users with group commit: requests that arrive while a write is in flight are
 * written together, in one statement that inserts their rows and one job to plan them all. Each
 * request still gets its answer only after its own row and job are committed, so a 2xx always
 * means "durably recorded", and a burst of webhooks costs a few statements, not one each.
 */
export class NewUserInbox {
  #pending: Pending[] = [];
  #inFlight = 0;

  constructor(
    private readonly sequelize: Sequelize,
    private readonly queue: JobQueue,
  ) {}

  record(site: SiteRef, user: NewUser, eventId: string | null): Promise<Recording> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ site, user, eventId, resolve, reject });
      this.#writeNext();
    });
  }

  #writeNext(): void {
    if (this.#inFlight >= MAX_WRITES_IN_FLIGHT || this.#pending.length === 0) return;
    const batch = this.#pending.splice(0, MAX_BATCH);
    this.#inFlight++;
    void this.#settle(batch).finally(() => {
      this.#inFlight--;
      this.#writeNext();
    });
  }

  /** Writes the batch and answers each of its requests; never rejects. */
  async #settle(batch: Pending[]): Promise<void> {
    let outcomes: Recording[];
    try {
      outcomes = await this.#write(batch).catch((error: unknown) => {
        // A site uninstalled between resolving its tenant and inserting fails the batch on its
        // foreign key; written again, that site's events come back as 'unknown-site'.
        if (sqlState(error) === FOREIGN_KEY_VIOLATION) return this.#write(batch);
        throw error;
      });
    } catch (error) {
      // A value the database refuses fails the whole statement. Halving the batch until the
      // refused item stands alone lets every other request get its own answer: one bad event
      // costs a few more transactions, never another request's 2xx.
      if (batch.length > 1 && causedByData(error)) {
        const half = Math.ceil(batch.length / 2);
        await this.#settle(batch.slice(0, half));
        await this.#settle(batch.slice(half));
        return;
      }
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, index) => item.resolve(outcomes[index]!));
    if (outcomes.some((recording) => recording.outcome === 'recorded')) this.queue.nudge(JOBS.planInvitations);
  }

  async #write(batch: Pending[]): Promise<Recording[]> {
    const connections = this.sequelize.connectionManager;
    const connection = (await connections.getConnection({ type: 'write' })) as pg.ClientBase;
    try {
      // A named statement: PostgreSQL parses and plans it once per connection, not once per batch.
      const { rows } = await connection.query<{
        position: string;
        tenant_id: string | null;
        new_user_id: string | null;
        known_user_id: string | null;
        planning_jobs: string;
      }>({
        name: 'new-user-inbox-record',
        text: RECORD_NEW_USERS,
        values: [
          batch.map((p) => ('tenantId' in p.site ? p.site.tenantId : null)),
          batch.map((p) => ('host' in p.site ? p.site.host : null)),
          batch.map((p) => ('hostKey' in p.site ? p.site.hostKey : null)),
          batch.map((p) => p.user.accountId),
          batch.map((p) => p.user.displayName),
          batch.map((p) => p.user.email),
          batch.map((p) => p.user.accountType),
          batch.map((p) => p.eventId),
        ],
      });
      // The same user twice in one batch: the first is the recording, the second a repeat.
      const seen = new Set<string>();
      const outcomes = rows.map((row): Recording => {
        if (!row.tenant_id) return { outcome: 'unknown-site', newUserId: null, tenantId: null };
        if (!row.new_user_id || seen.has(row.new_user_id)) {
          return { outcome: 'duplicate', newUserId: row.new_user_id ?? row.known_user_id, tenantId: row.tenant_id };
        }
        seen.add(row.new_user_id);
        return { outcome: 'recorded', newUserId: row.new_user_id, tenantId: row.tenant_id };
      });
      // Only a missing queue (pg-boss never started on this database) leaves new users without
      // their job. They stay recorded, and the planning sweep gives them one; the error says why they wait.
      if (seen.size > 0 && Number(rows[0]!.planning_jobs) === 0) throw new Error(`The job queue has no ${JOBS.planInvitations} queue.`);
      return outcomes;
    } finally {
      connections.releaseConnection(connection);
    }
  }
}

import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { MigrationParams } from 'umzug';
import type { Logger } from '../logger.js';
import { initialSchema } from './migrations/001-initial-schema.js';
import { deliveryLeases } from './migrations/002-delivery-leases.js';
import { unlinkedAccounts } from './migrations/003-unlinked-accounts.js';
import { organizationTargets } from './migrations/004-organization-targets.js';
import { lastEvent } from './migrations/005-last-event.js';
import { unplannedNewUsers } from './migrations/006-unplanned-new-users.js';
import { invitationStrategies } from './migrations/007-invitation-strategies.js';
import { backfill } from './migrations/008-backfill.js';
import { offboarding } from './migrations/009-offboarding.js';
import { invitationSearch } from './migrations/011-invitation-search.js';

export type Migration = { name: string; up: (params: MigrationParams<Sequelize>) => Promise<void> };

const MIGRATIONS: Migration[] = [
  initialSchema,
  deliveryLeases,
  unlinkedAccounts,
  organizationTargets,
  lastEvent,
  unplannedNewUsers,
  invitationStrategies,
  backfill,
  offboarding,
  invitationSearch,
];

/** Any constant works; it only has to be the same for every instance of the app. */
const MIGRATION_LOCK_ID = 727_001;

/**
 * Runs pending migrations on start. Several instances may start at once: a session-level
 * advisory lock makes the others wait instead of racing on the same DDL. Umzug is loaded only when
 * something is pending: on every other start it would stay in memory for nothing (with the
 * command-line parser it brings along, about 3 MB of heap held for the life of the process).
 */
export async function migrate(sequelize: Sequelize, log: Logger): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await sequelize.query('SELECT pg_advisory_xact_lock(:id)', { replacements: { id: MIGRATION_LOCK_ID }, transaction });
    if ((await pendingMigrations(sequelize, transaction)).length === 0) return;
    const { Umzug, SequelizeStorage } = await import('umzug');
    const umzug = new Umzug<Sequelize>({
      migrations: MIGRATIONS,
      context: sequelize,
      storage: new SequelizeStorage({ sequelize, tableName: 'schema_migrations' }),
      logger: undefined,
    });
    const applied = await umzug.up();
    if (applied.length > 0) log.info({ migrations: applied.map((m) => m.name) }, 'migrations applied');
  });
}

/**
 * The migrations this code needs that the database has not applied (a database restored from an
 * older backup, say): all of them when it has no migration table yet.
 */
export async function pendingMigrations(sequelize: Sequelize, transaction?: Transaction): Promise<string[]> {
  const [table] = await sequelize.query<{ present: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS present", {
    type: QueryTypes.SELECT,
    transaction,
  });
  const rows = table?.present
    ? await sequelize.query<{ name: string }>('SELECT name FROM schema_migrations', { type: QueryTypes.SELECT, transaction })
    : [];
  const applied = new Set(rows.map((row) => row.name));
  return MIGRATIONS.map((migration) => migration.name).filter((name) => !applied.has(name));
}

import { Umzug, SequelizeStorage, type MigrationParams } from 'umzug';
import { QueryTypes, type Sequelize } from 'sequelize';
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
 * advisory lock makes the others wait instead of racing on the same DDL.
 */
export async function migrate(sequelize: Sequelize, log: Logger): Promise<void> {
  const umzug = new Umzug<Sequelize>({
    migrations: MIGRATIONS,
    context: sequelize,
    storage: new SequelizeStorage({ sequelize, tableName: 'schema_migrations' }),
    logger: undefined,
  });
  await sequelize.transaction(async (transaction) => {
    await sequelize.query('SELECT pg_advisory_xact_lock(:id)', { replacements: { id: MIGRATION_LOCK_ID }, transaction });
    const applied = await umzug.up();
    if (applied.length > 0) log.info({ migrations: applied.map((m) => m.name) }, 'migrations applied');
  });
}

/** The migrations this code needs that the database has not applied (a database restored from an older backup, say). */
export async function pendingMigrations(sequelize: Sequelize): Promise<string[]> {
  const rows = await sequelize.query<{ name: string }>('SELECT name FROM schema_migrations', { type: QueryTypes.SELECT });
  const applied = new Set(rows.map((row) => row.name));
  return MIGRATIONS.map((migration) => migration.name).filter((name) => !applied.has(name));
}

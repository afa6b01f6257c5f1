import { Sequelize } from 'sequelize';
import type { Logger } from '../logger.js';
import { listenToConnectionErrorsFromTheStart } from './connection-errors.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { migrate } from './migrator.js';

export type Database = {
  /** The request path's pool: webhooks, Forge events, the admin API. */
  sequelize: Sequelize;
  /** The connection URL, shared with ACE's store and pg-boss. */
  url: string;
  /** Another pool on the same database (the background workers' own), closed with the rest. */
  openPool: (max: number) => Sequelize;
  /** Settles when the embedded PostgreSQL is lost while the app runs; never with DATABASE_URL. */
  lost: Promise<Error>;
  close: () => Promise<void>;
};

export type DatabaseOptions = {
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPostgresPort: number | undefined;
  databasePool: { requests: number };
};

/** Connects to DATABASE_URL, or to the embedded PostgreSQL when none is given, and migrates. */
export async function openDatabase(options: DatabaseOptions, log: Logger): Promise<Database> {
  listenToConnectionErrorsFromTheStart();
  const embedded = options.databaseUrl ? undefined : await startEmbeddedPostgres(options.dataDir, options.embeddedPostgresPort, log);
  const url = options.databaseUrl ?? embedded!.url;
  const pools: Sequelize[] = [];
  const openPool = (max: number) => {
    const pool = new Sequelize(url, { dialect: 'postgres', logging: false, pool: { max, min: 0, idle: 10_000 } });
    pools.push(pool);
    return pool;
  };
  const sequelize = openPool(options.databasePool.requests);
  const close = async () => {
    await Promise.all(pools.map((pool) => pool.close().catch(() => undefined)));
    await embedded?.stop();
  };
  try {
    await sequelize.authenticate();
    await migrate(sequelize, log);
  } catch (error) {
    await close();
    throw error;
  }
  return { sequelize, url, openPool, lost: embedded?.lost ?? new Promise<Error>(() => undefined), close };
}

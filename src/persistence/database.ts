import { Sequelize } from 'sequelize';
import type { Logger } from '../logger.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { migrate } from './migrator.js';

export type Database = {
  sequelize: Sequelize;
  /** The connection URL, shared with ACE's store and pg-boss. */
  url: string;
  close: () => Promise<void>;
};

export type DatabaseOptions = {
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPostgresPort: number;
  poolMax?: number;
};

/** Connects to DATABASE_URL, or to the embedded PostgreSQL when none is given, and migrates. */
export async function openDatabase(options: DatabaseOptions, log: Logger): Promise<Database> {
  const embedded = options.databaseUrl
    ? undefined
    : await startEmbeddedPostgres(options.dataDir, options.embeddedPostgresPort, log);
  const url = options.databaseUrl ?? embedded!.url;
  const sequelize = new Sequelize(url, {
    dialect: 'postgres',
    logging: false,
    pool: { max: options.poolMax ?? 10, min: 0, idle: 10_000 },
  });
  try {
    await sequelize.authenticate();
    await migrate(sequelize, log);
  } catch (error) {
    await sequelize.close().catch(() => undefined);
    await embedded?.stop();
    throw error;
  }
  return {
    sequelize,
    url,
    close: async () => {
      await sequelize.close();
      await embedded?.stop();
    },
  };
}

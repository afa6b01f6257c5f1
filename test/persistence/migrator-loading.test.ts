import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, withClient } from '../support/test-database.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Starts as an instance does (migrate on the database), in a process of its own so that what it
 * loads is its own, and says whether umzug was loaded.
 */
function startLoadsUmzug(databaseUrl: string): boolean {
  const script = `
    import { createRequire } from 'node:module';
    import { Sequelize } from 'sequelize';
    const { migrate } = await import(${JSON.stringify(path.join(ROOT, 'src/persistence/migrator.ts'))});
    const { createLogger } = await import(${JSON.stringify(path.join(ROOT, 'src/logger.ts'))});
    const sequelize = new Sequelize(process.env.DATABASE_URL, { dialect: 'postgres', logging: false });
    await migrate(sequelize, createLogger('warn'));
    await sequelize.close();
    const loaded = Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes('/node_modules/umzug/'));
    console.log(JSON.stringify({ loaded }));
  `;
  const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: 'utf8',
  });
  return (JSON.parse(output.trim().split('\n').at(-1)!) as { loaded: boolean }).loaded;
}

describe('migrating on start', () => {
  let database: { url: string; drop: () => Promise<void> };
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('loads umzug to migrate an empty database, and not at all when the database is up to date', async () => {
    expect(startLoadsUmzug(database.url)).toBe(true);
    const applied = await withClient(
      database.url,
      async (client) => (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations')).rows[0]!.n,
    );
    expect(applied).toBeGreaterThan(0);
    // Every start after the first: nothing pending, so nothing of umzug is held for the life of the process.
    expect(startLoadsUmzug(database.url)).toBe(false);
  }, 60_000);
});

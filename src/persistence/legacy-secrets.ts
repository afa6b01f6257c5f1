import { QueryTypes, type Sequelize } from 'sequelize';
import type { Logger } from '../logger.js';
import { forgeAppTokenBinding, linkedAccountBinding, SecretUnreadableError, type SecretBinding, type SecretBox } from './secret-box.js';

/** Every column that holds a sealed secret, and the binding of its row. */
const SEALED_COLUMNS: { table: string; column: string; tenantColumn: string; binding: (tenantId: string, id: string) => SecretBinding }[] = [
  { table: 'linked_accounts', column: 'credentials_sealed', tenantColumn: 'tenant_id', binding: linkedAccountBinding },
  { table: 'tenants', column: 'forge_app_token_sealed', tenantColumn: 'id', binding: forgeAppTokenBinding },
];

/**
 * Re-seals every secret written before secrets were bound to their rows (v1) as v2, bound to
 * the row it is in. Runs at start, after the schema migrations (it needs APP_SECRET_KEY, which
 * they do not have), in one transaction; rows already at v2 are left alone, so running it again,
 * or on several instances at once (the row locks make the later one find nothing), changes nothing.
 */
export async function bindLegacySecrets(sequelize: Sequelize, secrets: SecretBox, log: Logger): Promise<void> {
  const upgraded: Record<string, number> = {};
  await sequelize.transaction(async (transaction) => {
    for (const { table, column, tenantColumn, binding } of SEALED_COLUMNS) {
      const rows = await sequelize.query<{ id: string; tenant_id: string; sealed: string }>(
        `SELECT id, ${tenantColumn} AS tenant_id, ${column} AS sealed
         FROM ${table} WHERE ${column} LIKE 'v1:%' FOR UPDATE`,
        { type: QueryTypes.SELECT, transaction },
      );
      for (const row of rows) {
        const bound = binding(row.tenant_id, row.id);
        let plaintext: string;
        try {
          plaintext = secrets.openLegacy(row.sealed, bound);
        } catch (error) {
          if (!(error instanceof SecretUnreadableError)) throw error;
          // Left as it is: every use of it reports the same, and a later start with the right key upgrades it.
          log.warn({ table, id: row.id, reason: error.message }, 'a stored secret could not be upgraded');
          continue;
        }
        await sequelize.query(`UPDATE ${table} SET ${column} = :sealed WHERE id = :id`, {
          replacements: { id: row.id, sealed: secrets.seal(plaintext, bound) },
          transaction,
        });
        upgraded[table] = (upgraded[table] ?? 0) + 1;
      }
    }
  });
  if (Object.keys(upgraded).length > 0) log.info({ upgraded }, 'stored secrets bound to their rows (v1 to v2)');
}

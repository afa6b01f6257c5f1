import type { Migration } from '../migrator.js';

/**
 * The invitations list's search finds any part of a name or an email ("smith" finds John Smith,
 * "example.com" everyone at that domain), through a trigram index. pg_trgm ships with PostgreSQL
 * and is a trusted extension: the app's own database owner may create it.
 */
export const invitationSearch: Migration = {
  name: '011-invitation-search',
  async up({ context: sequelize }) {
    await sequelize.query(`
      CREATE EXTENSION IF NOT EXISTS pg_trgm;
      CREATE INDEX invitations_by_words ON invitations
        USING gin ((lower(coalesce(email, '') || ' ' || coalesce(display_name, ''))) gin_trgm_ops);
    `);
  },
};

import type { Migration } from '../migrator.js';

/** The sweep for new users whose planning job gave up reads only the unplanned ones: a small index. */
export const unplannedNewUsers: Migration = {
  name: '006-unplanned-new-users',
  async up({ context: sequelize }) {
    await sequelize.query('CREATE INDEX IF NOT EXISTS new_users_unplanned ON new_users (received_at) WHERE planned_at IS NULL');
  },
};

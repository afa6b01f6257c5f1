import type { Migration } from '../migrator.js';

/**
 * A delivery run claims its invitation with a lease (owner token and expiry) before it calls
 * Bitbucket, so a second run of the same job (pg-boss hands a slow job out again) cannot send it
 * too. The partial index serves the sweep that looks for queued invitations whose job ended.
 */
export const deliveryLeases: Migration = {
  name: '002-delivery-leases',
  async up({ context: sequelize }) {
    await sequelize.query(`
      ALTER TABLE invitations
        ADD COLUMN lease_owner uuid,
        ADD COLUMN lease_expires_at timestamptz;
      CREATE INDEX invitations_queued ON invitations (updated_at) WHERE status = 'queued';
    `);
  },
};

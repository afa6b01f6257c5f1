import type { Migration } from '../migrator.js';

/**
 * When Jira last sent the site an event (a new user, new or repeated): the admin page shows it,
 * and warns when a site that invites new users has heard nothing for long. Written by the inbox,
 * at most once a minute per site.
 */
export const lastEvent: Migration = {
  name: '005-last-event',
  async up({ context: sequelize }) {
    await sequelize.query('ALTER TABLE tenants ADD COLUMN last_event_at timestamptz');
  },
};

import { QueryTypes, type Sequelize } from 'sequelize';
import type { FailedInvitationCounter } from '../domain/attention.js';
import type { FailedInvitationFinder, RetryFilter } from '../domain/retry-all.js';
import { invitationsMatching } from './invitation-repository.js';

/** Failed invitations: for "Retry all failed", and the count the admin page's banner shows. */
export class FailedInvitations implements FailedInvitationFinder, FailedInvitationCounter {
  constructor(private readonly sequelize: Sequelize) {}

  async failedIds(tenantId: string, filter: RetryFilter, limit: number): Promise<string[]> {
    const { where, replacements } = invitationsMatching(tenantId, { ...filter, status: 'failed' });
    const rows = await this.sequelize.query<{ id: string }>(
      `SELECT i.id FROM invitations i WHERE ${where.join(' AND ')} ORDER BY i.created_at, i.id LIMIT :limit`,
      {
        replacements: { ...replacements, limit },
        type: QueryTypes.SELECT,
      },
    );
    return rows.map((row) => row.id);
  }

  async failedCount(tenantId: string): Promise<number> {
    const [row] = await this.sequelize.query<{ count: string }>(
      "SELECT count(*) AS count FROM invitations WHERE tenant_id = :tenantId AND status = 'failed'",
      {
        replacements: { tenantId },
        type: QueryTypes.SELECT,
      },
    );
    return Number(row!.count);
  }
}

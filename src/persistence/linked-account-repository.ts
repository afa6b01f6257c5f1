import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { BitbucketCredentials, LinkedAccount, LinkedAccountStatus, TargetGroup } from '../domain/model.js';
import type { LinkedAccountStore } from '../domain/stores.js';
import { linkedAccountBinding, type SecretBox } from './secret-box.js';

type LinkedAccountRow = {
  id: string;
  tenant_id: string;
  target_type: 'bitbucket-workspace';
  workspace: string;
  display_name: string;
  credential_type: BitbucketCredentials['type'];
  credentials_sealed: string;
  status: LinkedAccountStatus;
  status_reason: string | null;
  groups: TargetGroup[];
  groups_refreshed_at: Date | null;
  default_groups: TargetGroup[];
  last_invitation_sent_at: Date | null;
  created_at: Date;
};

const toLinkedAccount = (row: LinkedAccountRow): LinkedAccount => ({
  id: row.id,
  tenantId: row.tenant_id,
  targetType: row.target_type,
  workspace: row.workspace,
  displayName: row.display_name,
  credentialType: row.credential_type,
  status: row.status,
  statusReason: row.status_reason,
  groups: row.groups,
  groupsRefreshedAt: row.groups_refreshed_at,
  defaultGroups: row.default_groups,
  lastInvitationSentAt: row.last_invitation_sent_at,
  createdAt: row.created_at,
});

const COLUMNS = `id, tenant_id, target_type, workspace, display_name, credential_type, credentials_sealed, status,
  status_reason, groups, groups_refreshed_at, default_groups, last_invitation_sent_at, created_at`;

/**
 * Linked accounts, with their credentials sealed (AES-256-GCM) in the row. Credentials are
 * only unsealed by `credentialsOf`, for the clients that call Bitbucket.
 */
export class LinkedAccountRepository implements LinkedAccountStore {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly secrets: SecretBox,
  ) {}

  async create(
    input: { tenantId: string; workspace: string; displayName: string; credentials: BitbucketCredentials; groups: TargetGroup[] },
  ): Promise<LinkedAccount | 'already-linked'> {
    // The id is chosen here: the credentials are sealed for this one row before it exists.
    const id = randomUUID();
    const rows = await this.sequelize.query<LinkedAccountRow>(
      `INSERT INTO linked_accounts (id, tenant_id, workspace, display_name, credential_type, credentials_sealed, groups, groups_refreshed_at)
       VALUES (:id, :tenantId, :workspace, :displayName, :credentialType, :sealed, CAST(:groups AS jsonb), now())
       ON CONFLICT (tenant_id, target_type, workspace) DO NOTHING
       RETURNING ${COLUMNS}`,
      {
        replacements: {
          id,
          tenantId: input.tenantId,
          workspace: input.workspace,
          displayName: input.displayName,
          credentialType: input.credentials.type,
          sealed: this.secrets.sealJson(input.credentials, linkedAccountBinding(input.tenantId, id)),
          groups: JSON.stringify(input.groups),
        },
        type: QueryTypes.SELECT,
      },
    );
    return rows[0] ? toLinkedAccount(rows[0]) : 'already-linked';
  }

  async list(tenantId: string): Promise<LinkedAccount[]> {
    const rows = await this.sequelize.query<LinkedAccountRow>(
      `SELECT ${COLUMNS} FROM linked_accounts WHERE tenant_id = :tenantId ORDER BY lower(display_name), created_at`,
      { replacements: { tenantId }, type: QueryTypes.SELECT },
    );
    return rows.map(toLinkedAccount);
  }

  /** Scoped by tenant: another tenant's id is simply not found. */
  async find(tenantId: string, id: string): Promise<LinkedAccount | null> {
    const [row] = await this.sequelize.query<LinkedAccountRow>(
      `SELECT ${COLUMNS} FROM linked_accounts WHERE tenant_id = :tenantId AND id = :id`,
      { replacements: { tenantId, id }, type: QueryTypes.SELECT },
    );
    return row ? toLinkedAccount(row) : null;
  }

  async credentialsOf(tenantId: string, id: string): Promise<BitbucketCredentials | null> {
    const [row] = await this.sequelize.query<{ credentials_sealed: string }>(
      'SELECT credentials_sealed FROM linked_accounts WHERE tenant_id = :tenantId AND id = :id',
      { replacements: { tenantId, id }, type: QueryTypes.SELECT },
    );
    return row ? this.secrets.openJson<BitbucketCredentials>(row.credentials_sealed, linkedAccountBinding(tenantId, id)) : null;
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    const [, result] = await this.sequelize.query('DELETE FROM linked_accounts WHERE tenant_id = :tenantId AND id = :id', {
      replacements: { tenantId, id },
    });
    return ((result as { rowCount?: number }).rowCount ?? 0) > 0;
  }

  async update(
    tenantId: string,
    id: string,
    changes: {
      credentials?: BitbucketCredentials;
      status?: LinkedAccountStatus;
      statusReason?: string | null;
      groups?: TargetGroup[];
      defaultGroups?: TargetGroup[];
    },
  ): Promise<LinkedAccount | null> {
    const sets: string[] = ['updated_at = now()'];
    const replacements: Record<string, unknown> = { tenantId, id };
    if (changes.credentials) {
      sets.push('credential_type = :credentialType', 'credentials_sealed = :sealed');
      replacements.credentialType = changes.credentials.type;
      replacements.sealed = this.secrets.sealJson(changes.credentials, linkedAccountBinding(tenantId, id));
    }
    if (changes.status) {
      sets.push('status = :status');
      replacements.status = changes.status;
    }
    if (changes.statusReason !== undefined) {
      sets.push('status_reason = :statusReason');
      replacements.statusReason = changes.statusReason;
    }
    if (changes.groups) {
      sets.push('groups = CAST(:groups AS jsonb)', 'groups_refreshed_at = now()');
      replacements.groups = JSON.stringify(changes.groups);
    }
    if (changes.defaultGroups) {
      sets.push('default_groups = CAST(:defaultGroups AS jsonb)');
      replacements.defaultGroups = JSON.stringify(changes.defaultGroups);
    }
    const [row] = await this.sequelize.query<LinkedAccountRow>(
      `UPDATE linked_accounts SET ${sets.join(', ')} WHERE tenant_id = :tenantId AND id = :id RETURNING ${COLUMNS}`,
      { replacements, type: QueryTypes.SELECT },
    );
    return row ? toLinkedAccount(row) : null;
  }

  /** Records what delivery learnt about the account: credentials rejected, invitations refused, or fine again. */
  async markStatus(id: string, status: LinkedAccountStatus, reason: string | null): Promise<void> {
    await this.sequelize.query(
      'UPDATE linked_accounts SET status = :status, status_reason = :reason, updated_at = now() WHERE id = :id',
      { replacements: { id, status, reason } },
    );
  }

  async recordInvitationSent(id: string): Promise<void> {
    await this.sequelize.query(
      'UPDATE linked_accounts SET last_invitation_sent_at = now() WHERE id = :id AND (last_invitation_sent_at IS NULL OR last_invitation_sent_at < now())',
      { replacements: { id } },
    );
  }

  /** The accounts a new user of this tenant is invited through: active ones with a selection. */
  async withDefaultGroups(tenantId: string): Promise<LinkedAccount[]> {
    const rows = await this.sequelize.query<LinkedAccountRow>(
      `SELECT ${COLUMNS} FROM linked_accounts WHERE tenant_id = :tenantId AND jsonb_array_length(default_groups) > 0`,
      { replacements: { tenantId }, type: QueryTypes.SELECT },
    );
    return rows.map(toLinkedAccount);
  }
}

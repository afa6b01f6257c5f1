import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { statusChange } from '../domain/linked-accounts.js';
import type { GroupRule } from '../domain/group-choice.js';
import type {
  CredentialType,
  InvitationMode,
  LinkedAccount,
  LinkedAccountStatus,
  TargetCredentials,
  TargetGroup,
  TargetType,
} from '../domain/model.js';
import type { AuditEntry, LinkedAccountChanges, LinkedAccountStore, NewLinkedAccount, ReasonCode } from '../domain/stores.js';
import type { AuditLog } from './audit-log.js';
import { linkedAccountBinding, type SecretBox } from './secret-box.js';

type LinkedAccountRow = {
  id: string;
  tenant_id: string;
  target_type: TargetType;
  workspace: string | null;
  organization_id: string | null;
  organization_name: string | null;
  directory_id: string | null;
  directory_name: string | null;
  display_name: string;
  credential_type: CredentialType;
  status: LinkedAccountStatus;
  status_reason: string | null;
  groups: TargetGroup[];
  groups_refreshed_at: Date | null;
  default_groups: TargetGroup[];
  last_invitation_sent_at: Date | null;
  created_at: Date;
  unlinked_at: Date | null;
  version: number;
  credentials_version: number;
  mode: InvitationMode;
  rules: GroupRule[];
};

const toLinkedAccount = (row: LinkedAccountRow): LinkedAccount => ({
  id: row.id,
  tenantId: row.tenant_id,
  targetType: row.target_type,
  workspace: row.workspace,
  organization:
    row.organization_id === null
      ? null
      : { id: row.organization_id, name: row.organization_name!, directoryId: row.directory_id!, directoryName: row.directory_name! },
  displayName: row.display_name,
  credentialType: row.credential_type,
  status: row.status,
  statusReason: row.status_reason,
  groups: row.groups,
  groupsRefreshedAt: row.groups_refreshed_at,
  defaultGroups: row.default_groups,
  lastInvitationSentAt: row.last_invitation_sent_at,
  createdAt: row.created_at,
  unlinkedAt: row.unlinked_at,
  version: row.version,
  credentialsVersion: row.credentials_version,
  mode: row.mode,
  rules: row.rules,
});

const COLUMNS = `id, tenant_id, target_type, workspace, organization_id, organization_name, directory_id, directory_name, display_name, credential_type, status, status_reason, groups,
  groups_refreshed_at, default_groups, last_invitation_sent_at, created_at, unlinked_at, version, credentials_version, mode, rules`;

const rowCount = (result: unknown): number => (result as { rowCount?: number }).rowCount ?? 0;

/**
 * Linked accounts, with their credentials sealed (AES-256-GCM) in the row, whatever their kind
 * (Bitbucket's, an organization API key). Credentials are only unsealed for the clients that call
 * the target, and destroyed when the account is unlinked.
 * Every change is written together with its audit entry, in one transaction.
 */
export class LinkedAccountRepository implements LinkedAccountStore {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly secrets: SecretBox,
    private readonly audit: AuditLog,
  ) {}

  async create(input: NewLinkedAccount, audit: AuditEntry): Promise<LinkedAccount | 'already-linked'> {
    // The id is chosen here: the credentials are sealed for this one row before it exists.
    const id = randomUUID();
    return this.sequelize.transaction(async (transaction) => {
      const [row] = await this.sequelize.query<LinkedAccountRow>(
        // Any unique index refusing the row means the target is linked already (a workspace, or an organization's directory).
        `INSERT INTO linked_accounts (id, tenant_id, target_type, workspace, organization_id, organization_name, directory_id, directory_name,
           display_name, credential_type, credentials_sealed, groups, groups_refreshed_at)
         VALUES (:id, :tenantId, :targetType, :workspace, :organizationId, :organizationName, :directoryId, :directoryName,
           :displayName, :credentialType, :sealed, CAST(:groups AS jsonb), now())
         ON CONFLICT DO NOTHING
         RETURNING ${COLUMNS}`,
        {
          replacements: {
            id,
            tenantId: input.tenantId,
            targetType: input.targetType,
            workspace: input.workspace,
            organizationId: input.organization?.id ?? null,
            organizationName: input.organization?.name ?? null,
            directoryId: input.organization?.directoryId ?? null,
            directoryName: input.organization?.directoryName ?? null,
            displayName: input.displayName,
            credentialType: input.credentials.type,
            sealed: this.#seal(input.credentials, input.tenantId, id),
            groups: JSON.stringify(input.groups),
          },
          type: QueryTypes.SELECT,
          transaction,
        },
      );
      if (!row) return 'already-linked';
      await this.audit.record({ ...audit, linkedAccountId: id }, transaction);
      return toLinkedAccount(row);
    });
  }

  /** Linked accounts first, by name; then, when asked for, the unlinked ones, latest first. */
  async list(tenantId: string, options: { includeUnlinked: boolean }): Promise<LinkedAccount[]> {
    const rows = await this.sequelize.query<LinkedAccountRow>(
      `SELECT ${COLUMNS} FROM linked_accounts WHERE tenant_id = :tenantId ${options.includeUnlinked ? '' : "AND status <> 'unlinked'"}
       ORDER BY unlinked_at DESC NULLS FIRST, lower(display_name), created_at`,
      { replacements: { tenantId }, type: QueryTypes.SELECT },
    );
    return rows.map(toLinkedAccount);
  }

  /** Scoped by tenant: another tenant's id is simply not found. */
  async find(tenantId: string, id: string): Promise<LinkedAccount | null> {
    const [row] = await this.sequelize.query<LinkedAccountRow>(`SELECT ${COLUMNS} FROM linked_accounts WHERE tenant_id = :tenantId AND id = :id`, {
      replacements: { tenantId, id },
      type: QueryTypes.SELECT,
    });
    return row ? toLinkedAccount(row) : null;
  }

  async findWithCredentials(tenantId: string, id: string): Promise<{ account: LinkedAccount; credentials: TargetCredentials } | null> {
    const [row] = await this.sequelize.query<LinkedAccountRow & { credentials_sealed: string }>(
      `SELECT ${COLUMNS}, credentials_sealed FROM linked_accounts WHERE tenant_id = :tenantId AND id = :id AND status <> 'unlinked'`,
      { replacements: { tenantId, id }, type: QueryTypes.SELECT },
    );
    return row ? { account: toLinkedAccount(row), credentials: this.#open(row.credentials_sealed, tenantId, id) } : null;
  }

  async credentialsOf(tenantId: string, id: string): Promise<TargetCredentials | null> {
    const [row] = await this.sequelize.query<{ credentials_sealed: string }>(
      `SELECT credentials_sealed FROM linked_accounts WHERE tenant_id = :tenantId AND id = :id AND status <> 'unlinked'`,
      { replacements: { tenantId, id }, type: QueryTypes.SELECT },
    );
    return row ? this.#open(row.credentials_sealed, tenantId, id) : null;
  }

  async update(
    tenantId: string,
    id: string,
    expectedVersion: number,
    changes: LinkedAccountChanges,
    audit: AuditEntry | AuditEntry[] | null,
  ): Promise<LinkedAccount | 'not-found' | 'conflict'> {
    const sets: string[] = ['updated_at = now()', 'version = version + 1'];
    const replacements: Record<string, unknown> = { tenantId, id, expectedVersion };
    if (changes.credentials) {
      sets.push('credential_type = :credentialType', 'credentials_sealed = :sealed', 'credentials_version = credentials_version + 1');
      replacements.credentialType = changes.credentials.type;
      replacements.sealed = this.#seal(changes.credentials, tenantId, id);
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
    if (changes.mode) {
      sets.push('mode = :mode');
      replacements.mode = changes.mode;
    }
    if (changes.rules) {
      sets.push('rules = CAST(:rules AS jsonb)');
      replacements.rules = JSON.stringify(changes.rules);
    }
    return this.sequelize.transaction(async (transaction) => {
      const [row] = await this.sequelize.query<LinkedAccountRow>(
        `UPDATE linked_accounts SET ${sets.join(', ')}
         WHERE tenant_id = :tenantId AND id = :id AND status <> 'unlinked' AND version = :expectedVersion
         RETURNING ${COLUMNS}`,
        { replacements, type: QueryTypes.SELECT, transaction },
      );
      if (!row) return this.#whyUnchanged(tenantId, id, transaction);
      for (const entry of audit === null ? [] : [audit].flat()) await this.audit.record(entry, transaction);
      return toLinkedAccount(row);
    });
  }

  async unlink(
    tenantId: string,
    id: string,
    expectedVersion: number,
    change: { skipQueued: { reason: string; reasonCode: ReasonCode }; audit: AuditEntry },
  ): Promise<'unlinked' | 'not-found' | 'conflict'> {
    return this.sequelize.transaction(async (transaction) => {
      const [, unlinked] = await this.sequelize.query(
        `UPDATE linked_accounts SET status = 'unlinked', status_reason = NULL, credentials_sealed = NULL, default_groups = '[]',
           unlinked_at = now(), updated_at = now(), version = version + 1, credentials_version = credentials_version + 1
         WHERE tenant_id = :tenantId AND id = :id AND status <> 'unlinked' AND version = :expectedVersion`,
        { replacements: { tenantId, id, expectedVersion }, transaction },
      );
      if (rowCount(unlinked) === 0) return this.#whyUnchanged(tenantId, id, transaction);
      // In the unlink's own transaction: no invitation stays queued for credentials that are gone.
      // Clearing job_id disowns their delivery jobs, which then do nothing.
      await this.sequelize.query(
        `UPDATE invitations SET status = 'skipped', reason = :reason, reason_code = :reasonCode, job_id = NULL,
           next_attempt_at = NULL, updated_at = now()
         WHERE tenant_id = :tenantId AND linked_account_id = :id AND status IN ('queued', 'pending-review')`,
        { replacements: { tenantId, id, ...change.skipQueued }, transaction },
      );
      await this.audit.record(change.audit, transaction);
      return 'unlinked';
    });
  }

  /**
   * Records what delivery learnt about the account (credentials rejected, invitations refused),
   * unless the credentials it used have been replaced since: then it says nothing about the new ones.
   * A change of status is audited as the app's own (no actor).
   */
  async markStatus(
    id: string,
    status: Exclude<LinkedAccountStatus, 'active' | 'unlinked'>,
    reason: string | null,
    credentialsVersion: number,
  ): Promise<void> {
    await this.sequelize.transaction(async (transaction) => {
      const [current] = await this.sequelize.query<Pick<LinkedAccountRow, 'tenant_id' | 'display_name' | 'status'>>(
        `SELECT tenant_id, display_name, status FROM linked_accounts
         WHERE id = :id AND credentials_version = :credentialsVersion AND status <> 'unlinked' FOR UPDATE`,
        { replacements: { id, credentialsVersion }, type: QueryTypes.SELECT, transaction },
      );
      if (!current) return;
      await this.sequelize.query(
        'UPDATE linked_accounts SET status = :status, status_reason = :reason, updated_at = now(), version = version + 1 WHERE id = :id',
        { replacements: { id, status, reason }, transaction },
      );
      if (current.status !== status) {
        const account = { id, tenantId: current.tenant_id, displayName: current.display_name, status: current.status };
        await this.audit.record(statusChange(account, null, status, reason), transaction);
      }
    });
  }

  /** Leaves `version` alone: no change a user makes depends on this column. */
  async recordInvitationSent(id: string): Promise<void> {
    await this.sequelize.query(
      'UPDATE linked_accounts SET last_invitation_sent_at = now() WHERE id = :id AND (last_invitation_sent_at IS NULL OR last_invitation_sent_at < now())',
      { replacements: { id } },
    );
  }

  /** The accounts a new user of this tenant is invited through: linked ones, not Off, with a selection or rules. */
  async withDefaultGroups(tenantId: string): Promise<LinkedAccount[]> {
    const rows = await this.sequelize.query<LinkedAccountRow>(
      `SELECT ${COLUMNS} FROM linked_accounts
       WHERE tenant_id = :tenantId AND status <> 'unlinked' AND mode <> 'off'
         AND (jsonb_array_length(default_groups) > 0 OR jsonb_array_length(rules) > 0)`,
      { replacements: { tenantId }, type: QueryTypes.SELECT },
    );
    return rows.map(toLinkedAccount);
  }

  async #whyUnchanged(tenantId: string, id: string, transaction: Transaction): Promise<'not-found' | 'conflict'> {
    const [row] = await this.sequelize.query<{ status: LinkedAccountStatus }>(
      'SELECT status FROM linked_accounts WHERE tenant_id = :tenantId AND id = :id',
      { replacements: { tenantId, id }, type: QueryTypes.SELECT, transaction },
    );
    return !row || row.status === 'unlinked' ? 'not-found' : 'conflict';
  }

  #seal(credentials: TargetCredentials, tenantId: string, id: string): string {
    return this.secrets.sealJson(credentials, linkedAccountBinding(tenantId, id));
  }

  #open(sealed: string, tenantId: string, id: string): TargetCredentials {
    return this.secrets.openJson<TargetCredentials>(sealed, linkedAccountBinding(tenantId, id));
  }
}

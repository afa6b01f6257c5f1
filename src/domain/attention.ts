import type { LinkedAccountStore } from './stores.js';

/** What the admin page raises a banner for, until it is resolved. */
export type Attention = {
  /** Invitations that ended failed; retried or resolved, they leave the count. */
  failedInvitations: number;
  /** Linked accounts that stopped inviting: credentials refused, or invitations refused by the target. */
  accounts: { id: string; displayName: string; status: 'credentials-invalid' | 'invitations-refused'; reason: string | null }[];
};

export interface FailedInvitationCounter {
  failedCount: (tenantId: string) => Promise<number>;
}

export type AttentionDeps = { failedInvitations: FailedInvitationCounter; linkedAccounts: Pick<LinkedAccountStore, 'list'> };

export async function attentionOf(deps: AttentionDeps, tenantId: string): Promise<Attention> {
  const [failedInvitations, accounts] = await Promise.all([
    deps.failedInvitations.failedCount(tenantId),
    deps.linkedAccounts.list(tenantId, { includeUnlinked: false }),
  ]);
  return {
    failedInvitations,
    accounts: accounts.flatMap((account) =>
      account.status === 'credentials-invalid' || account.status === 'invitations-refused'
        ? [{ id: account.id, displayName: account.displayName, status: account.status, reason: account.statusReason }]
        : [],
    ),
  };
}

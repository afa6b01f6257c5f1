import Button from '@atlaskit/button/new';
import Lozenge from '@atlaskit/lozenge';
import { Stack } from '@atlaskit/primitives';
import type { LinkedAccount } from '../api/types';

/** A workspace that refuses invitations has most likely moved to Atlassian Administration: its organization is the way on. */
export function offersOrganizationLink(account: LinkedAccount): boolean {
  return account.targetType === 'bitbucket-workspace' && account.status === 'invitations-refused';
}

export function AccountStatusCell({
  account,
  onUpdateCredentials,
  onLinkOrganization,
}: {
  account: LinkedAccount;
  onUpdateCredentials: () => void;
  onLinkOrganization: () => void;
}) {
  if (account.status === 'credentials-invalid') {
    return (
      <Stack space="space.050" alignInline="start">
        <Lozenge appearance="removed">Credentials invalid</Lozenge>
        {account.statusReason ? <span className="ati-reason">{account.statusReason}</span> : null}
        <Button appearance="subtle" spacing="compact" onClick={onUpdateCredentials}>
          Update credentials
        </Button>
      </Stack>
    );
  }
  if (account.status === 'invitations-refused') {
    return (
      <Stack space="space.050" alignInline="start">
        <Lozenge appearance="moved">Invitations refused</Lozenge>
        {account.statusReason ? <span className="ati-reason">{account.statusReason}</span> : null}
        {offersOrganizationLink(account) ? (
          <>
            <span className="ati-reason">If it is managed in Atlassian Administration now, link its organization instead.</span>
            <Button appearance="subtle" spacing="compact" aria-label={`Link the organization of ${account.displayName}`} onClick={onLinkOrganization}>
              Link the organization
            </Button>
          </>
        ) : null}
      </Stack>
    );
  }
  if (account.status === 'unlinked') return <Lozenge>Unlinked</Lozenge>;
  return <Lozenge appearance="success">Active</Lozenge>;
}

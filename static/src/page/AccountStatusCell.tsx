import type { LinkedAccount } from '../api/types';
import { Button } from '../ui/Button';
import { Lozenge } from '../ui/Lozenge';

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
      <div className="ati-cell-stack">
        <Lozenge appearance="removed">Credentials invalid</Lozenge>
        {account.statusReason ? <span className="ati-reason">{account.statusReason}</span> : null}
        <Button appearance="link" className="ati-inline-link" onClick={onUpdateCredentials}>
          Update credentials
        </Button>
      </div>
    );
  }
  if (account.status === 'invitations-refused') {
    return (
      <div className="ati-cell-stack">
        <Lozenge appearance="moved">Invitations refused</Lozenge>
        {account.statusReason ? <span className="ati-reason">{account.statusReason}</span> : null}
        {offersOrganizationLink(account) ? (
          <>
            <span className="ati-reason">If it is managed in Atlassian Administration now, link its organization instead.</span>
            <Button
              appearance="link"
              className="ati-inline-link"
              aria-label={`Link the organization of ${account.displayName}`}
              onClick={onLinkOrganization}
            >
              Link the organization
            </Button>
          </>
        ) : null}
      </div>
    );
  }
  if (account.status === 'unlinked') return <Lozenge>Unlinked</Lozenge>;
  return <Lozenge appearance="success">Active</Lozenge>;
}

import type { LinkedAccount } from '../api/types';
import { Button } from '../ui/Button';
import { Lozenge } from '../ui/Lozenge';

export function AccountStatusCell({ account, onUpdateCredentials }: { account: LinkedAccount; onUpdateCredentials: () => void }) {
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
      </div>
    );
  }
  if (account.status === 'unlinked') return <Lozenge>Unlinked</Lozenge>;
  return <Lozenge appearance="success">Active</Lozenge>;
}

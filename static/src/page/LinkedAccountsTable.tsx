import type { LinkedAccount } from '../api/types';
import { useNow } from '../lib/use-now';
import { LinkedAccountRow } from './LinkedAccountRow';
import '../ui/table.css';

export type AccountAction = 'configure' | 'refresh-groups' | 'update-credentials' | 'unlink' | 'link-organization';

export function LinkedAccountsTable({
  accounts,
  busyIds,
  onAction,
}: {
  accounts: LinkedAccount[];
  busyIds: ReadonlySet<string>;
  onAction: (action: AccountAction, account: LinkedAccount) => void;
}) {
  const now = useNow();
  return (
    <div className="ads-table-wrapper">
      <table className="ads-table" aria-labelledby="ati-linked-accounts-title">
        <thead>
          <tr>
            <th scope="col">Linked account</th>
            <th scope="col">Target</th>
            <th scope="col">Default groups</th>
            <th scope="col">Status</th>
            <th scope="col">Last invitation sent</th>
            <th scope="col" className="ads-table__actions">
              <span className="ads-visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {accounts.map((account) => (
            <LinkedAccountRow
              key={account.id}
              account={account}
              now={now}
              busy={busyIds.has(account.id)}
              onAction={(action) => onAction(action, account)}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

import DynamicTable from '@atlaskit/dynamic-table';
import type { LinkedAccount } from '../api/types';
import { useNow } from '../lib/use-now';
import { linkedAccountRow } from './LinkedAccountRow';

export type AccountAction = 'configure' | 'refresh-groups' | 'update-credentials' | 'unlink' | 'link-organization';

const HEAD = {
  cells: [
    { key: 'name', content: 'Linked account' },
    { key: 'target', content: 'Target' },
    { key: 'groups', content: 'Default groups' },
    { key: 'status', content: 'Status' },
    { key: 'last', content: 'Last invitation sent' },
    { key: 'actions', content: <span className="ads-visually-hidden">Actions</span> },
  ],
};

export function LinkedAccountsTable({
  accounts,
  busyIds,
  onAction,
}: {
  accounts: LinkedAccount[];
  busyIds: ReadonlySet<string>;
  onAction: (action: AccountAction, account: LinkedAccount, opener?: HTMLElement | null) => void;
}) {
  const now = useNow();
  return (
    // Narrower than the table (a laptop with Jira's sidebar open): it scrolls sideways, focusable so that a keyboard can scroll it too.
    <div className="ati-table-scroll" role="region" aria-label="Linked accounts table" tabIndex={0}>
      <DynamicTable
        label="Linked accounts"
        head={HEAD}
        rows={accounts.map((account) =>
          linkedAccountRow({ account, now, busy: busyIds.has(account.id), onAction: (action, opener) => onAction(action, account, opener) }),
        )}
      />
    </div>
  );
}

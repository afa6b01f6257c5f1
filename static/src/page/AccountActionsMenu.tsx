import type { LinkedAccount } from '../api/types';
import { DropdownMenu, type MenuItem } from '../ui/DropdownMenu';
import type { AccountAction } from './LinkedAccountsTable';
import { offersOrganizationLink } from './AccountStatusCell';

export function AccountActionsMenu({ account, onAction }: { account: LinkedAccount; onAction: (action: AccountAction) => void }) {
  const item = (key: AccountAction, label: string, appearance?: 'danger'): MenuItem => ({ key, label, appearance, onSelect: () => onAction(key) });
  return (
    <DropdownMenu
      triggerLabel={`Actions for ${account.displayName}`}
      items={[
        item('configure', 'Configure automatic access'),
        // An organization's groups are read afresh each time the dialog lists or searches them.
        ...(account.targetType === 'bitbucket-workspace' ? [item('refresh-groups', 'Refresh groups')] : []),
        ...(offersOrganizationLink(account) ? [item('link-organization', 'Link the organization')] : []),
        item('update-credentials', 'Update credentials'),
        item('unlink', 'Unlink', 'danger'),
      ]}
    />
  );
}

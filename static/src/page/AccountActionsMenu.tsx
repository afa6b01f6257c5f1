import { DropdownMenu } from '../ui/DropdownMenu';
import type { AccountAction } from './LinkedAccountsTable';

export function AccountActionsMenu({ workspace, onAction }: { workspace: string; onAction: (action: AccountAction) => void }) {
  return (
    <DropdownMenu
      triggerLabel={`Actions for ${workspace}`}
      items={[
        { key: 'configure', label: 'Configure automatic access', onSelect: () => onAction('configure') },
        { key: 'refresh-groups', label: 'Refresh groups', onSelect: () => onAction('refresh-groups') },
        { key: 'update-credentials', label: 'Update credentials', onSelect: () => onAction('update-credentials') },
        { key: 'unlink', label: 'Unlink', appearance: 'danger', onSelect: () => onAction('unlink') },
      ]}
    />
  );
}

import { IconButton } from '@atlaskit/button/new';
import DropdownMenu, { DropdownItem, DropdownItemGroup } from '@atlaskit/dropdown-menu';
import ShowMoreHorizontalIcon from '@atlaskit/icon/core/show-more-horizontal';
import type { LinkedAccount } from '../api/types';
import type { AccountAction } from './LinkedAccountsTable';
import { offersOrganizationLink } from './AccountStatusCell';

export function AccountActionsMenu({ account, onAction }: { account: LinkedAccount; onAction: (action: AccountAction) => void }) {
  const items: { key: AccountAction; label: string }[] = [
    { key: 'configure', label: 'Configure automatic access' },
    // An organization's groups are read afresh each time the dialog lists or searches them.
    ...(account.targetType === 'bitbucket-workspace' ? [{ key: 'refresh-groups' as const, label: 'Refresh groups' }] : []),
    ...(offersOrganizationLink(account) ? [{ key: 'link-organization' as const, label: 'Link the organization' }] : []),
    { key: 'update-credentials', label: 'Update credentials' },
    { key: 'unlink', label: 'Unlink' },
  ];
  const label = `Actions for ${account.displayName}`;
  return (
    <DropdownMenu<HTMLButtonElement>
      placement="bottom-end"
      trigger={({ triggerRef, ...props }) => (
        <IconButton {...props} ref={triggerRef} appearance="subtle" spacing="compact" icon={ShowMoreHorizontalIcon} label={label} />
      )}
    >
      <DropdownItemGroup>
        {items.map((item) => (
          <DropdownItem key={item.key} onClick={() => onAction(item.key)}>
            {item.label}
          </DropdownItem>
        ))}
      </DropdownItemGroup>
    </DropdownMenu>
  );
}

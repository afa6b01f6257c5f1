import { useRef } from 'react';
import { IconButton } from '@atlaskit/button/new';
import DropdownMenu, { DropdownItem, DropdownItemGroup } from '@atlaskit/dropdown-menu';
import { ShowMoreHorizontalIcon } from '../icons';
import type { LinkedAccount } from '../api/types';
import type { AccountAction } from './LinkedAccountsTable';
import { offersOrganizationLink } from './AccountStatusCell';

export function AccountActionsMenu({
  account,
  onAction,
}: {
  account: LinkedAccount;
  /** `opener`: the menu's trigger, where the focus returns when what the action opens closes (the menu is gone by then). */
  onAction: (action: AccountAction, opener: HTMLElement | null) => void;
}) {
  const items: { key: AccountAction; label: string }[] = [
    { key: 'configure', label: 'Configure automatic access' },
    // An organization's groups are read afresh each time the dialog lists or searches them.
    ...(account.targetType === 'bitbucket-workspace' ? [{ key: 'refresh-groups' as const, label: 'Refresh groups' }] : []),
    ...(offersOrganizationLink(account) ? [{ key: 'link-organization' as const, label: 'Link the organization' }] : []),
    { key: 'update-credentials', label: 'Update credentials' },
    { key: 'unlink', label: 'Unlink' },
  ];
  const label = `Actions for ${account.displayName}`;
  const trigger = useRef<HTMLButtonElement | null>(null);
  return (
    <DropdownMenu<HTMLButtonElement>
      placement="bottom-end"
      trigger={({ triggerRef, ...props }) => (
        <IconButton
          {...props}
          ref={(element: HTMLButtonElement | null) => {
            trigger.current = element;
            if (typeof triggerRef === 'function') triggerRef(element);
            else if (triggerRef) (triggerRef as { current: HTMLButtonElement | null }).current = element;
          }}
          appearance="subtle"
          spacing="compact"
          icon={ShowMoreHorizontalIcon}
          label={label}
        />
      )}
    >
      <DropdownItemGroup>
        {items.map((item) => (
          <DropdownItem key={item.key} onClick={() => onAction(item.key, trigger.current)}>
            {item.label}
          </DropdownItem>
        ))}
      </DropdownItemGroup>
    </DropdownMenu>
  );
}

// Opens "Invite someone now" from the page.
import { useState } from 'react';
import Button from '@atlaskit/button/new';
import { InviteNowDialog, type InviteTarget } from '../strategies/InviteNowDialog';

export function InviteNowButton({
  onInvited,
  users,
  label = 'Invite someone now',
  spacing = 'default',
}: {
  onInvited: () => void;
  users?: InviteTarget[];
  label?: string;
  spacing?: 'default' | 'compact';
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button spacing={spacing} onClick={() => setOpen(true)}>
        {label}
      </Button>
      {open ? (
        <InviteNowDialog
          {...(users ? { initialUsers: users } : {})}
          onClose={(sent) => {
            setOpen(false);
            if (sent) onInvited();
          }}
        />
      ) : null}
    </>
  );
}

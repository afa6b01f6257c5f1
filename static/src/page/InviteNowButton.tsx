// Opens "Invite someone now" from the page.
import { lazy, Suspense, useState } from 'react';
import Button from '@atlaskit/button/new';
import type { InviteTarget } from '../strategies/InviteNowDialog';

// Only a click opens it: its code (and the modal dialog's) loads then, not with the page.
const InviteNowDialog = lazy(() => import('../strategies/InviteNowDialog').then((m) => ({ default: m.InviteNowDialog })));

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
        <Suspense fallback={null}>
          <InviteNowDialog
            {...(users ? { initialUsers: users } : {})}
            onClose={(sent) => {
              setOpen(false);
              if (sent) onInvited();
            }}
          />
        </Suspense>
      ) : null}
    </>
  );
}

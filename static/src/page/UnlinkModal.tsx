import { useRef, useState } from 'react';
import { unlinkAccount } from '../api/admin-api';
import type { LinkedAccount } from '../api/types';
import { useBridge } from '../host/BridgeContext';
import { Button } from '../ui/Button';
import { Modal } from '../ui/Modal';
import { SectionMessage } from '../ui/SectionMessage';

export function UnlinkModal({
  account,
  onClose,
  onDone,
}: {
  account: LinkedAccount;
  onClose: () => void;
  /** `alreadyUnlinked`: another tab or administrator unlinked it first. */
  onDone: (outcome: { alreadyUnlinked: boolean }) => void;
}) {
  const bridge = useBridge();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);

  const isOrganization = account.targetType === 'atlassian-organization';
  const what = isOrganization ? 'organization' : 'workspace';

  const confirm = async () => {
    setBusy(true);
    setError(null);
    const result = await unlinkAccount(bridge, account.id);
    setBusy(false);
    if (result.ok || result.status === 404) onDone({ alreadyUnlinked: !result.ok });
    else setError(result.message);
  };

  return (
    <Modal
      title={`Unlink ${account.displayName}?`}
      appearance="danger"
      width="small"
      onClose={onClose}
      canClose={!busy}
      initialFocusRef={cancelRef}
      footer={
        <>
          <Button ref={cancelRef} appearance="subtle" onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button appearance="danger" isLoading={busy} onClick={() => void confirm()}>
            Unlink
          </Button>
        </>
      }
    >
      {error ? (
        <div className="ati-form-message">
          <SectionMessage appearance="error" title={`Couldn't unlink the ${what}`}>
            <p>{error}</p>
          </SectionMessage>
        </div>
      ) : null}
      <p>
        New Jira users will no longer be {isOrganization ? 'added to the groups of' : 'invited to'} <strong>{account.displayName}</strong>.
      </p>
      <ul className="ati-unlink-consequences">
        <li>The record of its invitations stays in Recent invitations, marked Unlinked.</li>
        <li>Its credentials are deleted from this app.</li>
        <li>Invitations still queued for it are cancelled and show as skipped.</li>
      </ul>
      <p>
        {isOrganization ? 'Users already added stay in their groups.' : 'Invitations already sent are not withdrawn.'} You can link the {what} again
        later.
      </p>
    </Modal>
  );
}

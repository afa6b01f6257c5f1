import { useRef, useState } from 'react';
import { unlinkAccount } from '../api/admin-api';
import type { LinkedAccount } from '../api/types';
import { useBridge } from '../host/BridgeContext';
import Button from '@atlaskit/button/new';
import Modal, { ModalBody, ModalFooter, ModalHeader, ModalTitle, ModalTransition } from '@atlaskit/modal-dialog';
import SectionMessage from '@atlaskit/section-message';

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
    <ModalTransition>
      <Modal width="small" onClose={onClose} shouldCloseOnEscapePress={!busy} shouldCloseOnOverlayClick={!busy} autoFocus={cancelRef}>
        <ModalHeader>
          <ModalTitle appearance="danger">{`Unlink ${account.displayName}?`}</ModalTitle>
        </ModalHeader>
        <ModalBody>
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
            {isOrganization ? 'Users already added stay in their groups.' : 'Invitations already sent are not withdrawn.'} You can link the {what}{' '}
            again later.
          </p>
        </ModalBody>
        <ModalFooter>
          <Button ref={cancelRef} appearance="subtle" onClick={onClose} isDisabled={busy}>
            Cancel
          </Button>
          <Button appearance="danger" isLoading={busy} onClick={() => void confirm()}>
            Unlink
          </Button>
        </ModalFooter>
      </Modal>
    </ModalTransition>
  );
}

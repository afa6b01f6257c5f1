// "Retry all failed": how many failed invitations the current filter has, and retrying them.
// Its own chunk: only the button opens it.
import Button from '@atlaskit/button/new';
import ModalDialog, { ModalBody, ModalFooter, ModalHeader, ModalTitle } from '@atlaskit/modal-dialog';

export function RetryFailedModal({
  failed,
  busy,
  onClose,
  onRetry,
}: {
  failed: number;
  busy: boolean;
  onClose: () => void;
  onRetry: (count: number) => void;
}) {
  return (
    <ModalDialog onClose={onClose} width="small">
      <ModalHeader>
        <ModalTitle>{failed === 0 ? 'No failed invitations' : `Retry ${failed} failed ${failed === 1 ? 'invitation' : 'invitations'}?`}</ModalTitle>
      </ModalHeader>
      <ModalBody>
        {failed === 0
          ? 'No failed invitation matches the current filter.'
          : 'Each is queued again with a fresh series of attempts. Only the failed invitations of the current filter are retried.'}
      </ModalBody>
      <ModalFooter>
        <Button onClick={onClose}>{failed === 0 ? 'Close' : 'Cancel'}</Button>
        {failed > 0 ? (
          <Button appearance="primary" isDisabled={busy} onClick={() => onRetry(failed)}>
            Retry {failed}
          </Button>
        ) : null}
      </ModalFooter>
    </ModalDialog>
  );
}

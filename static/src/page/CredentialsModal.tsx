// "Link Bitbucket Cloud account" (POST) and "Update credentials" (PUT, workspace fixed).
import { useId, useRef, useState, type FormEvent } from 'react';
import { linkAccount, updateCredentials } from '../api/admin-api';
import type { LinkedAccount } from '../api/types';
import { useBridge } from '../host/BridgeContext';
import {
  emptyCredentialsForm,
  hasErrors,
  mapServerFieldErrors,
  toCredentials,
  validateCredentialsForm,
  workspaceSlug,
  type CredentialField,
  type CredentialsFormValues,
  type FieldErrors,
} from '../lib/credentials-form';
import { Button } from '../ui/Button';
import { Modal } from '../ui/Modal';
import { SectionMessage } from '../ui/SectionMessage';
import { CredentialsFields } from './CredentialsFields';

const FIELD_ORDER: CredentialField[] = ['workspace', 'key', 'secret', 'email', 'token'];

export function CredentialsModal({
  account,
  onClose,
  onDone,
}: {
  /** Set when updating the credentials of this account; absent when linking a new one. */
  account?: LinkedAccount;
  onClose: () => void;
  onDone: (account: LinkedAccount) => void;
}) {
  const bridge = useBridge();
  const formId = useId();
  const isUpdate = account !== undefined;
  const [values, setValues] = useState<CredentialsFormValues>(() => ({
    ...emptyCredentialsForm(account?.workspace ?? ''),
    type: account?.credentialType ?? 'oauth-consumer',
  }));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [submitted, setSubmitted] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [failure, setFailure] = useState<{ message: string; details: string[] } | null>(null);
  const refs = useRef<Partial<Record<CredentialField, HTMLInputElement | null>>>({});
  // When updating, the workspace is read-only: start in the first credential field.
  const firstCredentialRef = useRef<HTMLInputElement | null>(null);

  const change = (next: CredentialsFormValues) => {
    setValues(next);
    if (submitted) setErrors(validateCredentialsForm(next));
  };

  const focusFirstError = (found: FieldErrors) => {
    const first = FIELD_ORDER.find((field) => found[field]);
    if (first) refs.current[first]?.focus();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (submitting) return;
    setSubmitted(true);
    const found = validateCredentialsForm(values);
    setErrors(found);
    if (hasErrors(found)) {
      focusFirstError(found);
      return;
    }
    setSubmitting(true);
    setFailure(null);
    const credentials = toCredentials(values);
    const result = isUpdate
      ? await updateCredentials(bridge, account.id, credentials)
      : await linkAccount(bridge, workspaceSlug(values), credentials);
    setSubmitting(false);
    if (result.ok) {
      onDone(result.body.linkedAccount);
      return;
    }
    const { fields, other } = mapServerFieldErrors(result.fieldErrors);
    setErrors(fields);
    // The server's message is its first field error: list the others under it, not that one again.
    setFailure({ message: result.message, details: other.filter((detail) => detail !== result.message) });
    focusFirstError(fields);
  };

  const title = isUpdate ? `Update credentials for ${account.workspace}` : 'Link Bitbucket Cloud account';
  return (
    <Modal
      title={title}
      onClose={onClose}
      canClose={!submitting}
      initialFocusRef={isUpdate ? firstCredentialRef : undefined}
      footer={
        <>
          <Button appearance="subtle" onClick={onClose} disabled={submitting}>
            Cancel
          </Button>
          <Button appearance="primary" type="submit" form={formId} isLoading={submitting}>
            {isUpdate ? 'Save credentials' : 'Link account'}
          </Button>
        </>
      }
    >
      <form id={formId} noValidate onSubmit={(event) => void submit(event)}>
        {failure ? (
          <div className="ati-form-message">
            <SectionMessage appearance="error" title={isUpdate ? "Couldn't update the credentials" : "Couldn't link the workspace"}>
              <p>{failure.message}</p>
              {failure.details.length > 0 ? (
                <ul>
                  {failure.details.map((detail) => (
                    <li key={detail}>{detail}</li>
                  ))}
                </ul>
              ) : null}
            </SectionMessage>
          </div>
        ) : null}
        <p className="ati-form-intro">
          {isUpdate
            ? 'Enter new credentials for this workspace. The app checks them with Bitbucket before saving.'
            : 'The app uses these credentials to read the workspace’s groups and to send invitations, so they need administrator rights on the workspace.'}
        </p>
        <CredentialsFields
          values={values}
          errors={errors}
          workspaceFixed={isUpdate}
          disabled={submitting}
          onChange={change}
          inputRef={(field, el) => {
            refs.current[field] = el;
            if (field === 'key' || field === 'email') firstCredentialRef.current = el;
          }}
        />
      </form>
    </Modal>
  );
}

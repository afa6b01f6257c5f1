// "Link account" (POST, a workspace or an organization) and "Update credentials" (PUT, the target fixed).
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { discoverOrganizations, linkAccount, updateCredentials } from '../api/admin-api';
import { WORKSPACE_ADMIN_MANAGED, type LinkedAccount, type TargetType } from '../api/types';
import { useBridge } from '../host/BridgeContext';
import {
  chooseOrganization,
  discoveredFor,
  emptyCredentialsForm,
  hasErrors,
  mapServerFieldErrors,
  needsDiscovery,
  toCredentials,
  toLinkRequest,
  validateApiKey,
  validateCredentialsForm,
  MESSAGES,
  type CredentialField,
  type CredentialsFormValues,
  type Discovery,
  type FieldErrors,
} from '../lib/credentials-form';
import Button from '@atlaskit/button/new';
import Modal, { ModalBody, ModalFooter, ModalHeader, ModalTitle, ModalTransition } from '@atlaskit/modal-dialog';
import SectionMessage from '@atlaskit/section-message';
import { CredentialsFields } from './CredentialsFields';

const FIELD_ORDER: CredentialField[] = ['workspace', 'key', 'secret', 'email', 'token', 'apiKey', 'organization', 'directory'];

/** `onField`: a field shows the refusal too, and has the focus. */
type Failure = { title: string; message: string; details: string[]; code?: string; onField: boolean };

export function CredentialsModal({
  account,
  initialTarget = 'bitbucket-workspace',
  movedFrom,
  onClose,
  onDone,
}: {
  /** Set when updating the credentials of this account; absent when linking a new one. */
  account?: LinkedAccount;
  /** What the link form starts on. */
  initialTarget?: TargetType;
  /** The linked workspace whose invitations are refused since it moved to Atlassian Administration: the form links its organization. */
  movedFrom?: LinkedAccount;
  onClose: () => void;
  onDone: (account: LinkedAccount) => void;
}) {
  const bridge = useBridge();
  const formId = useId();
  const purpose = account ? 'update' : 'link';
  const [values, setValues] = useState<CredentialsFormValues>(() =>
    account
      ? {
          ...emptyCredentialsForm(account.workspace ?? '', account.targetType),
          type: account.credentialType === 'api-token' ? 'api-token' : 'oauth-consumer',
        }
      : emptyCredentialsForm('', movedFrom ? 'atlassian-organization' : initialTarget),
  );
  const [errors, setErrors] = useState<FieldErrors>({});
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState<'finding' | 'saving' | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [discovery, setDiscovery] = useState<Discovery | null>(null);
  const discovered = discoveredFor(values, discovery);
  const refs = useRef<Partial<Record<CredentialField, HTMLElement | null>>>({});
  // When updating, the target is fixed: start in the first credential field.
  const firstCredentialRef = useRef<HTMLElement | null>(null);
  // The field to focus once the form has rendered it (enabled again after a request, or new: a
  // switch of target, a found list). A new object each time, so that the same field can be asked twice.
  const [focusNext, setFocusNext] = useState<{ field: CredentialField } | null>(null);

  useEffect(() => {
    if (focusNext) refs.current[focusNext.field]?.focus();
  }, [focusNext]);

  // A refusal without a field to point at: bring its banner into view (the form may be scrolled) and have it read out.
  const bannerRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (failure && !failure.onField) bannerRef.current?.focus();
  }, [failure]);

  const isOrganization = values.target === 'atlassian-organization';

  const change = (next: CredentialsFormValues) => {
    setValues(next);
    setFocusNext(null);
    if (submitted) setErrors(validateCredentialsForm(next, purpose, discoveredFor(next, discovery)));
  };

  const focusFirstError = (found: FieldErrors) => {
    const first = FIELD_ORDER.find((field) => found[field]);
    if (first) setFocusNext({ field: first });
  };

  const showFailure = (title: string, result: { message: string; fieldErrors?: Record<string, string>; code?: string }) => {
    const { fields, other } = mapServerFieldErrors(result.fieldErrors);
    setErrors(fields);
    // The server's message is its first field error: list the others under it, not that one again.
    setFailure({
      title,
      message: result.message,
      details: other.filter((detail) => detail !== result.message),
      code: result.code,
      onField: hasErrors(fields),
    });
    focusFirstError(fields);
  };

  const findOrganizations = async () => {
    const keyProblem = validateApiKey(values.apiKey);
    setSubmitted(true);
    setErrors(keyProblem ? { apiKey: keyProblem } : {});
    if (keyProblem) {
      setFocusNext({ field: 'apiKey' });
      return;
    }
    setBusy('finding');
    setFailure(null);
    const apiKey = values.apiKey.trim();
    const result = await discoverOrganizations(bridge, apiKey);
    setBusy(null);
    if (!result.ok) {
      showFailure("Couldn't find the organizations", result);
      return;
    }
    const { organizations } = result.body;
    setDiscovery({ apiKey, organizations });
    if (organizations.length === 0) {
      setErrors({ apiKey: MESSAGES.noOrganization });
      setFocusNext({ field: 'apiKey' });
      return;
    }
    const next = chooseOrganization(values, organizations);
    setValues(next);
    setErrors({});
    setSubmitted(false);
    // Next, the choice: the organization list, or the directory list when the organization has several.
    setFocusNext({ field: next.organizationId !== '' && next.directoryId === '' ? 'directory' : 'organization' });
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    if (needsDiscovery(values, purpose, discovered)) {
      await findOrganizations();
      return;
    }
    setSubmitted(true);
    const found = validateCredentialsForm(values, purpose, discovered);
    setErrors(found);
    if (hasErrors(found)) {
      focusFirstError(found);
      return;
    }
    setBusy('saving');
    setFailure(null);
    const result = account ? await updateCredentials(bridge, account.id, toCredentials(values)) : await linkAccount(bridge, toLinkRequest(values));
    setBusy(null);
    if (result.ok) {
      onDone(result.body.linkedAccount);
      return;
    }
    const what = isOrganization ? 'organization' : 'workspace';
    showFailure(account ? "Couldn't update the credentials" : `Couldn't link the ${what}`, result);
  };

  /** The workspace is managed in Atlassian Administration: link its organization instead. */
  const switchToOrganization = () => {
    setValues({ ...values, target: 'atlassian-organization' });
    setFailure(null);
    setErrors({});
    setSubmitted(false);
    setFocusNext({ field: 'apiKey' });
  };

  const name = account?.displayName ?? '';
  const title = account ? `Update credentials for ${name}` : 'Link account';
  const primary = account ? 'Save credentials' : needsDiscovery(values, purpose, discovered) ? 'Find organizations' : 'Link account';
  return (
    <ModalTransition>
      <Modal
        onClose={onClose}
        shouldCloseOnEscapePress={busy === null}
        shouldCloseOnOverlayClick={busy === null}
        autoFocus={account ? firstCredentialRef : undefined}
      >
        <form id={formId} noValidate onSubmit={(event) => void submit(event)}>
          <ModalHeader>
            <ModalTitle>{title}</ModalTitle>
          </ModalHeader>
          <ModalBody>
            {failure ? (
              <div className="ati-form-message" ref={bannerRef} tabIndex={-1}>
                <SectionMessage
                  appearance={failure.code === WORKSPACE_ADMIN_MANAGED ? 'warning' : 'error'}
                  title={failure.title}
                  actions={
                    failure.code === WORKSPACE_ADMIN_MANAGED && !account ? (
                      <Button onClick={switchToOrganization}>Link the organization instead</Button>
                    ) : undefined
                  }
                >
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
            {movedFrom ? (
              <p className="ati-form-intro">
                <strong>{movedFrom.displayName}</strong> refuses invitations: it is managed in Atlassian Administration now. Link its organization
                here; the groups named like those {movedFrom.displayName} used are then ticked for you to confirm.
              </p>
            ) : (
              <p className="ati-form-intro">{intro(values.target, account)}</p>
            )}
            <CredentialsFields
              values={values}
              errors={errors}
              purpose={purpose}
              discovered={discovered}
              disabled={busy !== null}
              onChange={change}
              inputRef={(field, el) => {
                refs.current[field] = el;
                if (field === 'key' || field === 'email' || field === 'apiKey') firstCredentialRef.current = el;
              }}
            />
            <p className="ads-visually-hidden" role="status">
              {busy === 'finding' ? 'Finding the organizations this API key can see.' : foundSentence(discovered)}
            </p>
          </ModalBody>
          <ModalFooter>
            <Button appearance="subtle" onClick={onClose} isDisabled={busy !== null}>
              Cancel
            </Button>
            <Button appearance="primary" type="submit" isLoading={busy !== null}>
              {primary}
            </Button>
          </ModalFooter>
        </form>
      </Modal>
    </ModalTransition>
  );
}

function intro(target: TargetType, account: LinkedAccount | undefined): string {
  if (account && target === 'atlassian-organization') {
    return `Enter a new API key for ${account.displayName}. The app checks it with Atlassian Administration before saving.`;
  }
  if (account) return 'Enter new credentials for this workspace. The app checks them with Bitbucket before saving.';
  if (target === 'atlassian-organization') {
    return 'Enter an organization API key, then find the organizations it can see and choose the one to link. The app uses the key to list the organization’s groups and to add new Jira users to them.';
  }
  return 'The app uses these credentials to read the workspace’s groups and to send invitations, so they need administrator rights on the workspace.';
}

function foundSentence(discovered: { name: string }[] | null): string {
  if (discovered === null || discovered.length === 0) return '';
  return discovered.length === 1 ? `Found the organization ${discovered[0]!.name}.` : `Found ${discovered.length} organizations.`;
}

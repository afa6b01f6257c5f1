import type { CredentialType } from '../api/types';
import { MAX_LENGTH, type CredentialField, type CredentialsFormValues, type FieldErrors } from '../lib/credentials-form';
import { RadioGroup } from '../ui/RadioGroup';
import { Textfield } from '../ui/Textfield';

export function CredentialsFields({
  values,
  errors,
  workspaceFixed,
  disabled,
  onChange,
  inputRef,
}: {
  values: CredentialsFormValues;
  errors: FieldErrors;
  workspaceFixed: boolean;
  disabled: boolean;
  onChange: (values: CredentialsFormValues) => void;
  inputRef: (field: CredentialField, el: HTMLInputElement | null) => void;
}) {
  const set = (field: CredentialField) => (value: string) => onChange({ ...values, [field]: value });
  return (
    <>
      <Textfield
        ref={(el) => inputRef('workspace', el)}
        label="Workspace"
        required={!workspaceFixed}
        readOnly={workspaceFixed}
        disabled={disabled && !workspaceFixed}
        value={values.workspace}
        onChange={set('workspace')}
        error={errors.workspace}
        maxLength={MAX_LENGTH.workspace}
        placeholder="acme"
        autoComplete="off"
        helperText={workspaceFixed ? undefined : 'The workspace ID, as in bitbucket.org/acme.'}
      />
      <RadioGroup<CredentialType>
        legend="Credential type"
        name="credential-type"
        value={values.type}
        disabled={disabled}
        onChange={(type) => onChange({ ...values, type })}
        options={[
          { value: 'oauth-consumer', label: 'OAuth consumer', description: 'Key and secret of a workspace OAuth consumer.' },
          { value: 'api-token', label: 'API token', description: 'Email and API token of a workspace administrator.' },
        ]}
      />
      {values.type === 'oauth-consumer' ? (
        <>
          <Textfield
            ref={(el) => inputRef('key', el)}
            label="Key"
            required
            disabled={disabled}
            value={values.key}
            onChange={set('key')}
            error={errors.key}
            maxLength={MAX_LENGTH.key}
            autoComplete="off"
          />
          <Textfield
            ref={(el) => inputRef('secret', el)}
            label="Secret"
            type="password"
            required
            disabled={disabled}
            value={values.secret}
            onChange={set('secret')}
            error={errors.secret}
            maxLength={MAX_LENGTH.secret}
            autoComplete="new-password"
            helperText="Stored encrypted. It is never shown again."
          />
        </>
      ) : (
        <>
          <Textfield
            ref={(el) => inputRef('email', el)}
            label="Email"
            type="email"
            required
            disabled={disabled}
            value={values.email}
            onChange={set('email')}
            error={errors.email}
            maxLength={MAX_LENGTH.email}
            autoComplete="off"
          />
          <Textfield
            ref={(el) => inputRef('token', el)}
            label="Token"
            type="password"
            required
            disabled={disabled}
            value={values.token}
            onChange={set('token')}
            error={errors.token}
            maxLength={MAX_LENGTH.token}
            autoComplete="new-password"
            helperText="Stored encrypted. It is never shown again."
          />
        </>
      )}
    </>
  );
}

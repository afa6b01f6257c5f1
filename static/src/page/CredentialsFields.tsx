import type { DiscoveredOrganization, TargetType, WorkspaceCredentials } from '../api/types';
import { MAX_LENGTH, chooseOrganization, type CredentialField, type CredentialsFormValues, type FieldErrors } from '../lib/credentials-form';
import { RadioField, SelectField, TextField } from '../fields/Fields';

const STORED = 'Stored encrypted. It is never shown again.';

export const TARGET_OPTIONS: { value: TargetType; label: string; description: string }[] = [
  {
    value: 'bitbucket-workspace',
    label: 'Bitbucket workspace',
    description: 'For a workspace whose users are still managed in Bitbucket. New Jira users get an email invitation to its groups.',
  },
  {
    value: 'atlassian-organization',
    label: 'Atlassian organization',
    description:
      'For workspaces managed in Atlassian Administration, as most created since February 2024 are. New Jira users are added to organization groups, with nothing to accept.',
  },
];

export function CredentialsFields({
  values,
  errors,
  purpose,
  discovered,
  disabled,
  onChange,
  inputRef,
}: {
  values: CredentialsFormValues;
  errors: FieldErrors;
  purpose: 'link' | 'update';
  /** The organizations Find organizations found for the API key in the form; null before. */
  discovered: DiscoveredOrganization[] | null;
  disabled: boolean;
  onChange: (values: CredentialsFormValues) => void;
  inputRef: (field: CredentialField, el: HTMLElement | null) => void;
}) {
  const set = (field: Exclude<CredentialField, 'organization' | 'directory'>) => (value: string) => onChange({ ...values, [field]: value });
  return (
    <>
      {purpose === 'link' ? (
        <RadioField<TargetType>
          legend="What to link"
          name="target-type"
          value={values.target}
          disabled={disabled}
          onChange={(target) => onChange({ ...values, target })}
          options={TARGET_OPTIONS}
        />
      ) : null}
      {values.target === 'atlassian-organization' ? (
        <OrganizationFields
          values={values}
          errors={errors}
          purpose={purpose}
          discovered={discovered}
          disabled={disabled}
          onChange={onChange}
          inputRef={inputRef}
          set={set}
        />
      ) : (
        <WorkspaceFields values={values} errors={errors} purpose={purpose} disabled={disabled} onChange={onChange} inputRef={inputRef} set={set} />
      )}
    </>
  );
}

type FieldsProps = {
  values: CredentialsFormValues;
  errors: FieldErrors;
  purpose: 'link' | 'update';
  disabled: boolean;
  onChange: (values: CredentialsFormValues) => void;
  inputRef: (field: CredentialField, el: HTMLElement | null) => void;
  set: (field: Exclude<CredentialField, 'organization' | 'directory'>) => (value: string) => void;
};

function OrganizationFields({
  values,
  errors,
  purpose,
  discovered,
  disabled,
  onChange,
  inputRef,
  set,
}: FieldsProps & { discovered: DiscoveredOrganization[] | null }) {
  const organization = discovered?.find((org) => org.id === values.organizationId);
  const directories = organization?.directories ?? [];
  const onlyDirectory = directories.length === 1 ? directories[0] : undefined;
  return (
    <>
      <TextField
        ref={(el) => inputRef('apiKey', el)}
        label="API key"
        type="password"
        required
        disabled={disabled}
        value={values.apiKey}
        onChange={set('apiKey')}
        error={errors.apiKey}
        maxLength={MAX_LENGTH.apiKey}
        autoComplete="new-password"
        helperText={
          <>
            An organization API key: an organization admin creates one in <strong>admin.atlassian.com → Settings → API keys</strong>. {STORED}
          </>
        }
      />
      {purpose === 'link' && discovered !== null && discovered.length > 0 ? (
        <>
          <SelectField
            ref={(el) => inputRef('organization', el)}
            label="Organization"
            required
            disabled={disabled}
            value={values.organizationId}
            placeholder="Choose an organization"
            options={discovered.map((org) => ({ value: org.id, label: org.name }))}
            onChange={(id) => onChange(chooseOrganization(values, discovered, id))}
            error={errors.organization}
            helperText={onlyDirectory ? `New Jira users are added from its directory “${onlyDirectory.name}”.` : undefined}
          />
          {directories.length > 1 ? (
            <SelectField
              ref={(el) => inputRef('directory', el)}
              label="Directory"
              required
              disabled={disabled}
              value={values.directoryId}
              placeholder="Choose a directory"
              options={directories.map((directory) => ({ value: directory.id, label: directory.name }))}
              onChange={(directoryId) => onChange({ ...values, directoryId })}
              error={errors.directory}
              helperText="The directory that holds this Jira site’s users; its groups are the ones offered."
            />
          ) : null}
        </>
      ) : null}
    </>
  );
}

function WorkspaceFields({ values, errors, purpose, disabled, onChange, inputRef, set }: FieldsProps) {
  const workspaceFixed = purpose === 'update';
  return (
    <>
      <TextField
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
      <RadioField<WorkspaceCredentials['type']>
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
          <TextField
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
          <TextField
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
            helperText={STORED}
          />
        </>
      ) : (
        <>
          <TextField
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
          <TextField
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
            helperText={STORED}
          />
        </>
      )}
    </>
  );
}

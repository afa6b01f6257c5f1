// The cells of one linked account's row in the linked-accounts table.
import type { RowType } from '@atlaskit/dynamic-table/types';
import Avatar from '@atlaskit/avatar';
import { Inline, Stack } from '@atlaskit/primitives';
import Spinner from '@atlaskit/spinner';
import Tag from '@atlaskit/tag/simple-tag';
import type { CredentialType, LinkedAccount, TargetType } from '../api/types';
import { LinkExternalIcon } from '../icons';
import { formatDateTime, relativeTime } from '../lib/relative-time';
import { AccountActionsMenu } from './AccountActionsMenu';
import { AccountStatusCell } from './AccountStatusCell';
import type { AccountAction } from './LinkedAccountsTable';

const TARGET_TYPES: Record<TargetType, string> = { 'bitbucket-workspace': 'Bitbucket workspace', 'atlassian-organization': 'Atlassian organization' };
const CREDENTIAL_TYPES: Record<CredentialType, string> = {
  'oauth-consumer': 'OAuth consumer',
  'api-token': 'API token',
  'organization-api-key': 'API key',
};

/** Under the name: where it is (the workspace slug, or the organization's directory) and which credentials it uses. */
function whereAndHow(account: LinkedAccount): string {
  const where = account.organization ? `Directory: ${account.organization.directoryName}` : (account.workspace ?? '');
  return `${where} · ${CREDENTIAL_TYPES[account.credentialType] ?? account.credentialType}`;
}

export function linkedAccountRow({
  account,
  now,
  busy,
  onAction,
}: {
  account: LinkedAccount;
  now: Date;
  busy: boolean;
  onAction: (action: AccountAction, opener?: HTMLElement | null) => void;
}): RowType {
  const name = account.displayName;
  return {
    key: account.id,
    cells: [
      {
        key: 'name',
        content: (
          <Inline space="space.100" alignBlock="center">
            <Avatar appearance="square" size="medium" name={name} />
            <Stack space="space.025">
              <a className="ati-workspace__name" href={account.url} target="_blank" rel="noopener noreferrer">
                {name}
                <LinkExternalIcon label="" size="small" color="currentColor" />
                <span className="ads-visually-hidden"> (opens in a new tab)</span>
              </a>
              <span className="ati-muted">{whereAndHow(account)}</span>
            </Stack>
          </Inline>
        ),
      },
      { key: 'target', content: <span className="ati-nowrap">{TARGET_TYPES[account.targetType] ?? account.targetType}</span> },
      {
        key: 'groups',
        content:
          account.defaultGroups.length === 0 ? (
            <span className="ati-none">No automatic invitations</span>
          ) : (
            <ul className="ati-tags" aria-label={`Default groups of ${name}`}>
              {account.defaultGroups.map((group) => (
                // A workspace group's slug says where it is; an organization group's id says nothing to a person.
                <li key={group.slug} title={account.targetType === 'bitbucket-workspace' ? group.slug : undefined}>
                  <Tag text={group.name} />
                </li>
              ))}
            </ul>
          ),
      },
      {
        key: 'status',
        content: (
          <AccountStatusCell
            account={account}
            onUpdateCredentials={() => onAction('update-credentials')}
            onLinkOrganization={() => onAction('link-organization')}
          />
        ),
      },
      {
        key: 'last',
        content: account.lastInvitationSentAt ? (
          <time className="ati-nowrap" dateTime={account.lastInvitationSentAt} title={formatDateTime(account.lastInvitationSentAt)}>
            {relativeTime(account.lastInvitationSentAt, now)}
          </time>
        ) : (
          <span className="ati-none">Never</span>
        ),
      },
      {
        key: 'actions',
        content: (
          <Inline space="space.050" alignBlock="center" alignInline="end">
            {busy ? <Spinner size="small" label={`Refreshing groups of ${name}`} /> : null}
            {account.status === 'unlinked' ? null : <AccountActionsMenu account={account} onAction={onAction} />}
          </Inline>
        ),
      },
    ],
  };
}

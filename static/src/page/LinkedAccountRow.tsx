import type { CredentialType, LinkedAccount, TargetType } from '../api/types';
import { formatDateTime, relativeTime } from '../lib/relative-time';
import { Avatar } from '../ui/Avatar';
import { Icon } from '../ui/Icon';
import { Spinner } from '../ui/Spinner';
import { Tag, TagGroup } from '../ui/Tag';
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

export function LinkedAccountRow({
  account,
  now,
  busy,
  onAction,
}: {
  account: LinkedAccount;
  now: Date;
  busy: boolean;
  onAction: (action: AccountAction) => void;
}) {
  const name = account.displayName;
  return (
    <tr>
      <td>
        <div className="ati-workspace">
          <Avatar name={name} />
          <div className="ati-cell-stack">
            <a className="ati-workspace__name" href={account.url} target="_blank" rel="noopener noreferrer">
              {name}
              <Icon name="external" size={16} />
              <span className="ads-visually-hidden"> (opens in a new tab)</span>
            </a>
            <span className="ati-muted">{whereAndHow(account)}</span>
          </div>
        </div>
      </td>
      <td className="ati-nowrap">{TARGET_TYPES[account.targetType] ?? account.targetType}</td>
      <td>
        {account.defaultGroups.length === 0 ? (
          <span className="ati-none">No automatic invitations</span>
        ) : (
          <TagGroup label={`Default groups of ${name}`}>
            {account.defaultGroups.map((group) => (
              <li key={group.slug}>
                {/* A workspace group's slug says where it is; an organization group's id says nothing to a person. */}
                <Tag title={account.targetType === 'bitbucket-workspace' ? group.slug : undefined}>{group.name}</Tag>
              </li>
            ))}
          </TagGroup>
        )}
      </td>
      <td>
        <AccountStatusCell
          account={account}
          onUpdateCredentials={() => onAction('update-credentials')}
          onLinkOrganization={() => onAction('link-organization')}
        />
      </td>
      <td className="ati-nowrap">
        {account.lastInvitationSentAt ? (
          <time dateTime={account.lastInvitationSentAt} title={formatDateTime(account.lastInvitationSentAt)}>
            {relativeTime(account.lastInvitationSentAt, now)}
          </time>
        ) : (
          <span className="ati-none">Never</span>
        )}
      </td>
      <td className="ads-table__actions">
        {busy ? <Spinner size="small" label={`Refreshing groups of ${name}`} /> : null}{' '}
        {account.status === 'unlinked' ? null : <AccountActionsMenu account={account} onAction={onAction} />}
      </td>
    </tr>
  );
}

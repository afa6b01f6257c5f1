import Button from '@atlaskit/button/new';
import SectionMessage from '@atlaskit/section-message';
import { token } from '@atlaskit/tokens';
import { useState } from 'react';
import { previewInvitations, type InvitationPreview as Preview } from '../api/backfill-api';
import { useBridge } from '../host/BridgeContext';

/**
 * Before saving: who among the existing Jira users the chosen groups would invite where, counted by
 * the server over Jira's whole user listing. Saving invites nobody existing: "Invite existing users" does.
 */
export function InvitationPreview({ linkedAccountId, groups }: { linkedAccountId: string; groups: string[] }) {
  const bridge = useBridge();
  const [preview, setPreview] = useState<{ groups: string; result: Preview } | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const key = [...groups].sort().join('\n');
  const current = preview?.groups === key ? preview.result : null;

  const run = async () => {
    setLoading(true);
    setError(null);
    const result = await previewInvitations(bridge, linkedAccountId, groups);
    setLoading(false);
    if (result.ok) setPreview({ groups: key, result: result.body.preview });
    else setError(result.message);
  };

  return (
    <div data-testid="invitation-preview" style={{ marginBlockStart: token('space.200') }}>
      <Button isDisabled={loading || groups.length === 0} onClick={() => void run()}>
        {loading ? 'Reading the existing users…' : 'Preview for existing users'}
      </Button>
      {error ? (
        <SectionMessage appearance="error" title="Couldn't preview">
          <p>{error}</p>
        </SectionMessage>
      ) : null}
      {current ? (
        <div style={{ marginBlockStart: token('space.100') }}>
          <p>
            Of {current.usersScanned} existing Jira users{current.truncated ? ' (the first ones only: the site has more)' : ''},{' '}
            {current.invitations === 0 ? 'nobody new would be invited' : `${current.invitations} invitations would be sent`} by &quot;Invite existing
            users&quot;. {current.alreadyInvited > 0 ? `${current.alreadyInvited} invitations exist already. ` : ''}
            {current.excluded > 0 ? `${current.excluded} apps, customers or deactivated accounts are never invited.` : ''}
          </p>
          <ul>
            {current.groups.map((group) => (
              <li key={group.slug}>
                <strong>{group.name}</strong>: {group.invitations}
                {group.sample.length > 0 ? ` (${group.sample.join(', ')}${group.invitations > group.sample.length ? ', …' : ''})` : ''}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}

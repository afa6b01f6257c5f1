import Button from '@atlaskit/button/new';
import SectionMessage from '@atlaskit/section-message';
import { token } from '@atlaskit/tokens';
import { useState } from 'react';
import { previewInvitations, type InvitationPreview as Preview, type PreviewProposal } from '../api/backfill-api';
import { useBridge } from '../host/BridgeContext';

/**
 * Before saving: who among the existing Jira users the proposed default groups or rules would
 * invite where, counted by the server over Jira's whole user listing with the same decision as for
 * new users. Saving invites nobody existing: "Invite existing users" does.
 */
export function InvitationPreview({ linkedAccountId, proposal }: { linkedAccountId: string; proposal: PreviewProposal }) {
  const bridge = useBridge();
  const [preview, setPreview] = useState<{ key: string; result: Preview } | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<{ key: string; message: string } | null>(null);
  // A preview, or its error, shows only while the proposal is still the one it was made for.
  const key = JSON.stringify({ groups: proposal.groups ? [...proposal.groups].sort() : null, rules: proposal.rules ?? null });
  const current = preview?.key === key ? preview.result : null;
  const nothingToPreview = proposal.groups?.length === 0 && !proposal.rules;

  const run = async () => {
    setLoading(true);
    setError(null);
    const result = await previewInvitations(bridge, linkedAccountId, proposal);
    setLoading(false);
    if (result.ok) setPreview({ key, result: result.body.preview });
    else setError({ key, message: result.message });
  };

  return (
    <div data-testid="invitation-preview" style={{ marginBlockStart: token('space.200') }}>
      <Button isDisabled={loading || nothingToPreview} onClick={() => void run()}>
        {loading ? 'Reading the existing users…' : 'Preview for existing users'}
      </Button>
      {error?.key === key ? (
        <SectionMessage appearance="error" title="Couldn't preview">
          <p>{error.message}</p>
        </SectionMessage>
      ) : null}
      {current ? (
        <div style={{ marginBlockStart: token('space.100') }}>
          <p>
            Of {current.usersScanned} existing Jira users{current.truncated ? ' (the first ones only: the site has more)' : ''},{' '}
            {current.invitations === 0
              ? 'nobody new would be invited'
              : `${current.invitations} ${current.invitations === 1 ? 'invitation' : 'invitations'} would be sent`}{' '}
            by &quot;Invite existing users&quot;. {current.alreadyInvited > 0 ? `${current.alreadyInvited} invitations exist already. ` : ''}
            {current.excluded > 0 ? `${current.excluded} apps, customers or deactivated accounts are never invited. ` : ''}
            {current.neverInvited > 0
              ? `${current.neverInvited} ${current.neverInvited === 1 ? 'user is' : 'users are'} never invited by a rule.`
              : ''}
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

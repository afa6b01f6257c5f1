import SectionMessage, { SectionMessageAction } from '@atlaskit/section-message';
import { useCallback, useEffect } from 'react';
import { getAttention, showInvitations } from '../api/backfill-api';
import { useBridge } from '../host/BridgeContext';
import { useResource } from '../lib/use-resource';

const REFRESH_MS = 30_000;

/** Failed invitations and linked accounts that stopped inviting, until resolved; each links to the list filtered to it. */
export function AttentionBanner({ refreshKey }: { refreshKey: number }) {
  const bridge = useBridge();
  const load = useCallback(() => getAttention(bridge), [bridge]);
  const { state, reload } = useResource(load);
  useEffect(() => void reload({ silent: true }), [refreshKey, reload]);
  useEffect(() => {
    const timer = window.setInterval(() => void reload({ silent: true }), REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [reload]);
  if (state.status !== 'ready' || !state.data.attention) return null;
  const { failedInvitations, accounts } = state.data.attention;
  return (
    <>
      {accounts.map((account) => (
        <SectionMessage
          key={account.id}
          appearance="error"
          title={
            account.status === 'credentials-invalid'
              ? `The credentials of ${account.displayName} are no longer valid`
              : `${account.displayName} refuses invitations`
          }
          actions={[
            <SectionMessageAction key="show" onClick={() => showInvitations({ status: 'failed', linkedAccountId: account.id })}>
              Show its failed invitations
            </SectionMessageAction>,
          ]}
        >
          <p>{account.reason ?? 'New users are not invited through it until this is fixed.'}</p>
        </SectionMessage>
      ))}
      {failedInvitations > 0 ? (
        <SectionMessage
          appearance="warning"
          title={`${failedInvitations} ${failedInvitations === 1 ? 'invitation' : 'invitations'} failed`}
          actions={[
            <SectionMessageAction key="show" onClick={() => showInvitations({ status: 'failed' })}>
              Show failed invitations
            </SectionMessageAction>,
          ]}
        >
          <p>Each says why. Fix the cause, then retry them from the list.</p>
        </SectionMessage>
      ) : null}
    </>
  );
}

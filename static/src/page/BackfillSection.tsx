import Button from '@atlaskit/button/new';
import ProgressBar from '@atlaskit/progress-bar';
import SectionMessage from '@atlaskit/section-message';
import Select from '@atlaskit/select';
import Textfield from '@atlaskit/textfield';
import { token } from '@atlaskit/tokens';
import { useCallback, useEffect, useState } from 'react';
import { listLinkedAccounts } from '../api/admin-api';
import { cancelBackfill, confirmBackfill, listBackfills, startBackfill, type Backfill } from '../api/backfill-api';
import { useBridge } from '../host/BridgeContext';
import { useResource } from '../lib/use-resource';

const POLL_MS = 1_000;
const OPEN = new Set(['counting', 'awaiting-confirmation', 'running']);

/** "Invite existing users": a backfill per linked account, with its progress, the confirmation above the threshold, and cancel. */
export function BackfillSection({ refreshKey }: { refreshKey: number }) {
  const bridge = useBridge();
  const loadAccounts = useCallback(() => listLinkedAccounts(bridge), [bridge]);
  const { state: accountsState, reload: reloadAccounts } = useResource(loadAccounts);
  const loadBackfills = useCallback(() => listBackfills(bridge), [bridge]);
  const { state, reload } = useResource(loadBackfills);
  const [chosen, setChosen] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => void reloadAccounts({ silent: true }), [refreshKey, reloadAccounts]);
  const backfills = state.status === 'ready' ? state.data.backfills : [];
  const anyOpen = backfills.some((b) => OPEN.has(b.status));
  useEffect(() => {
    if (!anyOpen) return;
    const timer = window.setInterval(() => void reload({ silent: true }), POLL_MS);
    return () => window.clearInterval(timer);
  }, [anyOpen, reload]);

  const accounts = accountsState.status === 'ready' ? accountsState.data.linkedAccounts.filter((a) => a.defaultGroups.length > 0) : [];
  const accountId = chosen ?? accounts[0]?.id ?? null;
  const latest = backfills.find((b) => b.linkedAccountId === accountId) ?? null;
  const nameOf = (id: string) => accounts.find((a) => a.id === id)?.displayName ?? 'this linked account';

  const act = async (action: () => Promise<{ ok: boolean; message?: string }>, failure: string) => {
    setBusy(true);
    const result = await action();
    setBusy(false);
    if (!result.ok) bridge.showFlag({ type: 'error', title: failure, description: result.message ?? '' });
    await reload({ silent: true });
  };

  return (
    <section className="ati-section" aria-labelledby="ati-backfill-title">
      <div className="ati-section__header">
        <div>
          <h2 id="ati-backfill-title">Invite existing users</h2>
          <p className="ati-section__description">
            Invite the people already on this Jira site to a linked account&apos;s default groups. Nobody is invited twice: people who already have an
            invitation keep it as it is.
          </p>
        </div>
      </div>
      {accounts.length === 0 ? (
        <p className="ati-section__description">Choose default groups for a linked account first.</p>
      ) : (
        <div style={{ display: 'flex', gap: token('space.100'), alignItems: 'flex-end', marginBlockEnd: token('space.200') }}>
          <div style={{ minWidth: 240 }}>
            <label htmlFor="ati-backfill-account">Invite existing users to</label>
            <Select
              inputId="ati-backfill-account"
              options={accounts.map((a) => ({ value: a.id, label: a.displayName }))}
              value={accounts.filter((a) => a.id === accountId).map((a) => ({ value: a.id, label: a.displayName }))[0] ?? null}
              onChange={(option) => setChosen(option?.value ?? null)}
            />
          </div>
          <Button
            appearance="primary"
            isDisabled={busy || !accountId || (latest !== null && OPEN.has(latest.status))}
            onClick={() => accountId && void act(() => startBackfill(bridge, accountId), "Couldn't start inviting existing users")}
          >
            Invite existing users
          </Button>
        </div>
      )}
      {latest ? <BackfillProgressView backfill={latest} accountName={nameOf(latest.linkedAccountId)} busy={busy} act={act} /> : null}
    </section>
  );
}

function BackfillProgressView({
  backfill,
  accountName,
  busy,
  act,
}: {
  backfill: Backfill;
  accountName: string;
  busy: boolean;
  act: (action: () => Promise<{ ok: boolean; message?: string }>, failure: string) => Promise<void>;
}) {
  const bridge = useBridge();
  const [count, setCount] = useState('');
  const done = backfill.invitations.sent + backfill.invitations.failed + backfill.invitations.skipped;
  const open = OPEN.has(backfill.status);
  return (
    <div data-testid="backfill-progress" style={{ display: 'grid', gap: token('space.100') }}>
      {backfill.status === 'counting' ? (
        <ProgressBar isIndeterminate ariaLabel={`Counting the existing users of ${accountName}`} />
      ) : (
        <ProgressBar value={backfill.progress ?? 0} ariaLabel={`Invitations of existing users to ${accountName}`} />
      )}
      <p data-testid="backfill-status">{describe(backfill, done)}</p>
      {backfill.status === 'awaiting-confirmation' ? (
        <SectionMessage appearance="warning" title={`Send ${backfill.toInvite} invitations?`}>
          <p>
            That is more than {backfill.threshold}, so type the number of invitations to confirm it: {backfill.toInvite}.
          </p>
          <div style={{ display: 'flex', gap: token('space.100'), marginBlockStart: token('space.100') }}>
            <Textfield
              aria-label="Number of invitations to confirm"
              value={count}
              inputMode="numeric"
              onChange={(event) => setCount(event.currentTarget.value)}
              width="small"
            />
            <Button
              appearance="warning"
              isDisabled={busy || count.trim() === ''}
              onClick={() => void act(() => confirmBackfill(bridge, backfill.id, Number(count)), "Couldn't confirm the invitations")}
            >
              Confirm and send
            </Button>
          </div>
        </SectionMessage>
      ) : null}
      {backfill.reason && !open ? <p>{backfill.reason}</p> : null}
      {open ? (
        <div>
          <Button isDisabled={busy} onClick={() => void act(() => cancelBackfill(bridge, backfill.id), "Couldn't cancel")}>
            Cancel
          </Button>
        </div>
      ) : null}
    </div>
  );
}

function describe(backfill: Backfill, done: number): string {
  switch (backfill.status) {
    case 'counting':
      return `Counting: ${backfill.usersScanned} users read, ${backfill.toInvite} invitations to send so far.`;
    case 'awaiting-confirmation':
      return `Counted ${backfill.toInvite} invitations to send. Waiting for your confirmation.`;
    case 'running':
      return `Sending: ${done} of ${backfill.toInvite} invitations done (${backfill.invitations.sent} sent, ${backfill.invitations.failed} failed).`;
    case 'completed':
      return `Done: ${backfill.invitations.sent} of ${backfill.toInvite} invitations sent, ${backfill.invitations.failed} failed.`;
    case 'cancelled':
      return `Cancelled: ${backfill.invitations.sent} invitations were sent, ${backfill.invitations.skipped} were not.`;
    case 'failed':
      return 'Stopped before the end.';
  }
}

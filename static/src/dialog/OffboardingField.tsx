// "When a Jira user is deleted or deactivated": the linked account's offboarding setting, with the
// preview of who turning it on removes, and the removals held back by the threshold. It loads and
// saves on its own, apart from the dialog's Save of the default groups.
import Button from '@atlaskit/button/new';
import { RadioGroup } from '@atlaskit/radio';
import SectionMessage from '@atlaskit/section-message';
import { token } from '@atlaskit/tokens';
import { useCallback, useState } from 'react';
import {
  confirmHeldRemovals,
  discardHeldRemovals,
  getOffboarding,
  saveOffboarding,
  type Offboarding,
  type OffboardingMode,
} from '../api/offboarding-api';
import { useBridge } from '../host/BridgeContext';
import { useResource } from '../lib/use-resource';
import { UserCheckButton } from '../page/UserCheckButton';

const OPTIONS = [
  { name: 'offboarding', value: 'keep', label: 'Keep their memberships' },
  { name: 'offboarding', value: 'remove', label: 'Remove them from the groups this app added' },
];

const memberships = (count: number) => `${count} ${count === 1 ? 'membership' : 'memberships'}`;

export function OffboardingField({ linkedAccountId }: { linkedAccountId: string }) {
  const bridge = useBridge();
  const resource = useResource(useCallback(() => getOffboarding(bridge, linkedAccountId), [bridge, linkedAccountId]));
  const setting: Offboarding | null = resource.state.status === 'ready' ? resource.state.data.offboarding : null;
  const [choice, setChosen] = useState<OffboardingMode | null>(null);
  const chosen = choice ?? setting?.mode ?? 'keep';
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const load = () => resource.reload({ silent: true });

  const act = async (action: () => Promise<{ ok: boolean; message?: string }>, done: string) => {
    setBusy(true);
    setMessage(null);
    const result = await action();
    setBusy(false);
    setMessage(result.ok ? { error: false, text: done } : { error: true, text: result.message ?? 'Something went wrong.' });
    await load();
  };

  if (resource.state.status === 'error')
    return (
      <p role="alert" style={{ color: token('color.text.danger') }}>
        {resource.state.message}
      </p>
    );
  if (!setting) return <p style={{ color: token('color.text.subtlest') }}>Loading the offboarding setting…</p>;
  const turningOn = setting.mode === 'keep' && chosen === 'remove';
  const turningOff = setting.mode === 'remove' && chosen === 'keep';

  return (
    <fieldset style={{ border: 'none', padding: 0, margin: `${token('space.200')} 0 0`, display: 'grid', gap: token('space.100') }}>
      <legend style={{ font: token('font.heading.xsmall'), marginBottom: token('space.100') }}>When a Jira user is deleted or deactivated</legend>
      <RadioGroup options={OPTIONS} value={chosen} onChange={(event) => setChosen(event.currentTarget.value as OffboardingMode)} isDisabled={busy} />
      {chosen === 'remove' ? (
        <p style={{ color: token('color.text.subtle'), margin: 0 }}>
          Only memberships this app added are removed. Jira sends no event when it deactivates someone, so the app checks daily (or now). More than{' '}
          {setting.effectiveThreshold} removals within an hour wait for your confirmation.
        </p>
      ) : null}
      {turningOn ? (
        <div data-testid="offboarding-preview" style={{ display: 'grid', gap: token('space.100') }}>
          <UserCheckButton onFinished={() => void load()} />
          {setting.removalCount === 0 ? (
            <p style={{ margin: 0 }}>Nobody would be removed now: no one the app added is known to be deleted or deactivated in Jira.</p>
          ) : (
            <>
              <p style={{ margin: 0 }}>Turning this on removes {memberships(setting.removalCount)} at once:</p>
              <ul style={{ margin: 0 }}>
                {setting.preview.map((member) => (
                  <li key={member.accountId}>
                    {member.displayName ?? member.accountId} ({member.cause}): {member.groups.map((group) => group.name).join(', ')}
                  </li>
                ))}
              </ul>
            </>
          )}
          <div>
            <Button
              appearance="primary"
              isLoading={busy}
              onClick={() =>
                void act(
                  () => saveOffboarding(bridge, linkedAccountId, { mode: 'remove', confirmRemovals: setting.removalCount }),
                  setting.removalCount === 0 ? 'Removal is on.' : `Removal is on; removing ${memberships(setting.removalCount)}.`,
                )
              }
            >
              {setting.removalCount === 0 ? 'Turn on removal' : `Turn on and remove ${memberships(setting.removalCount)}`}
            </Button>
          </div>
        </div>
      ) : null}
      {turningOff ? (
        <div>
          <Button
            isLoading={busy}
            onClick={() => void act(() => saveOffboarding(bridge, linkedAccountId, { mode: 'keep' }), 'Memberships are kept from now on.')}
          >
            Keep memberships from now on
          </Button>
        </div>
      ) : null}
      {setting.held > 0 ? (
        <SectionMessage appearance="warning" title={`${memberships(setting.held)} waiting for your confirmation`}>
          <p>
            More removals than the threshold ({setting.effectiveThreshold}) came at once. If Jira was having trouble, they may be wrong: look at them
            in Removals before you confirm.
          </p>
          <div style={{ display: 'flex', gap: token('space.100') }}>
            <Button
              appearance="warning"
              isLoading={busy}
              onClick={() => void act(() => confirmHeldRemovals(bridge, linkedAccountId, setting.held), 'Confirmed.')}
            >
              Remove {memberships(setting.held)}
            </Button>
            <Button isDisabled={busy} onClick={() => void act(() => discardHeldRemovals(bridge, linkedAccountId), 'Discarded.')}>
              Discard them
            </Button>
          </div>
        </SectionMessage>
      ) : null}
      {message ? (
        <p role={message.error ? 'alert' : 'status'} style={{ margin: 0, color: token(message.error ? 'color.text.danger' : 'color.text.success') }}>
          {message.text}
        </p>
      ) : null}
    </fieldset>
  );
}

// The mode of one linked account in the "Configure automatic access" dialog: Automatic, Review first or Off.
import { useCallback, useState } from 'react';
import Heading from '@atlaskit/heading';
import { Box, Stack, Text } from '@atlaskit/primitives';
import { RadioGroup } from '@atlaskit/radio';
import { listLinkedAccounts } from '../api/admin-api';
import type { InvitationMode } from '../api/types';
import { useBridge } from '../host/BridgeContext';
import { useResource } from '../lib/use-resource';

const MODES: { value: InvitationMode; label: string; help: string }[] = [
  { value: 'automatic', label: 'Automatic', help: 'Invite each new Jira user as soon as Jira says they joined.' },
  { value: 'review', label: 'Review first', help: 'New Jira users wait in Pending review until an administrator sends or skips them.' },
  { value: 'off', label: 'Off', help: 'Nothing automatic. Invite someone now still works.' },
];

/** The account's mode as saved (loaded once), and the admin's change to it; `mode` is null until it has loaded. */
export function useModeChoice(linkedAccountId: string) {
  const bridge = useBridge();
  const [touched, setMode] = useState<InvitationMode | null>(null);
  const load = useCallback(() => listLinkedAccounts(bridge), [bridge]);
  const { state } = useResource(load);
  const saved = state.status === 'ready' ? (state.data.linkedAccounts.find((a) => a.id === linkedAccountId)?.mode ?? 'automatic') : null;
  // An account that could not be read keeps its mode: null sends none.
  return { mode: touched ?? saved, setMode };
}

export function ModeField({
  mode,
  onChange,
  isDisabled,
}: {
  mode: InvitationMode | null;
  onChange: (mode: InvitationMode) => void;
  isDisabled?: boolean;
}) {
  const chosen = MODES.find((m) => m.value === mode);
  return (
    <Box paddingBlockEnd="space.150">
      <Stack space="space.050">
        <span id="ati-mode-label">
          <Heading as="h2" size="xsmall">
            When a new Jira user joins
          </Heading>
        </span>
        <RadioGroup
          labelId="ati-mode-label"
          options={MODES.map((m) => ({ name: 'mode', value: m.value, label: m.label, testId: `mode-${m.value}` }))}
          value={mode}
          isDisabled={isDisabled || mode === null}
          onChange={(event) => onChange(event.currentTarget.value as InvitationMode)}
        />
        {chosen ? (
          <Text size="small" color="color.text.subtlest">
            {chosen.help}
          </Text>
        ) : null}
      </Stack>
    </Box>
  );
}

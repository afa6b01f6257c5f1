// Ticks groups of one linked account for one decision (an invite, a review, a rule), defaults or planned groups pre-ticked.
import { useCallback } from 'react';
import { Checkbox } from '@atlaskit/checkbox';
import SectionMessage from '@atlaskit/section-message';
import Spinner from '@atlaskit/spinner';
import { Inline, Stack, Text } from '@atlaskit/primitives';
import { listGroups } from '../api/admin-api';
import type { GroupRef, LinkedAccount } from '../api/types';
import { useBridge } from '../host/BridgeContext';
import { useResource } from '../lib/use-resource';

/** The account's groups: a workspace's all, an organization's first page, plus those already ticked. */
export function GroupPicker({
  account,
  selected,
  onChange,
  legend,
  isDisabled,
}: {
  account: Pick<LinkedAccount, 'id' | 'displayName'>;
  selected: readonly GroupRef[];
  onChange: (groups: GroupRef[]) => void;
  legend: string;
  isDisabled?: boolean;
}) {
  const bridge = useBridge();
  const load = useCallback(() => listGroups(bridge, account.id), [bridge, account.id]);
  const { state } = useResource(load);
  if (state.status === 'loading') return <Spinner size="small" label={`Loading the groups of ${account.displayName}`} />;
  if (state.status === 'error') {
    return (
      <SectionMessage appearance="error" title={`Couldn't load the groups of ${account.displayName}`}>
        <p>{state.message}</p>
      </SectionMessage>
    );
  }
  const ticked = new Set(selected.map((g) => g.slug));
  const shown: GroupRef[] = [...selected];
  for (const group of state.data.groups) {
    if (!ticked.has(group.slug) && !group.unavailableReason) shown.push({ slug: group.slug, name: group.name });
  }
  const toggle = (group: GroupRef, on: boolean) =>
    onChange(on ? [...selected.filter((g) => g.slug !== group.slug), group] : selected.filter((g) => g.slug !== group.slug));
  return (
    <fieldset className="ati-fieldset">
      <legend>
        <Text weight="medium">{legend}</Text>
      </legend>
      {shown.length === 0 ? <Text color="color.text.subtle">There are no groups to choose in {account.displayName}.</Text> : null}
      <Stack space="space.0">
        {shown.map((group) => (
          <Inline key={group.slug}>
            <Checkbox
              name={`${account.id}-groups`}
              value={group.slug}
              label={group.name}
              isChecked={ticked.has(group.slug)}
              isDisabled={isDisabled}
              onChange={(event) => toggle(group, event.currentTarget.checked)}
            />
          </Inline>
        ))}
      </Stack>
    </fieldset>
  );
}

// One linked account's rules in the Rules section. Moving and removing rules is a draft until the
// admin saves it, with a preview of what the changed list would do to the existing users first.
import { useState } from 'react';
import Button from '@atlaskit/button/new';
import Heading from '@atlaskit/heading';
import SectionMessage from '@atlaskit/section-message';
import { Inline, Stack, Text } from '@atlaskit/primitives';
import { deleteRule, reorderRules } from '../api/strategies-api';
import type { GroupRule, LinkedAccount } from '../api/types';
import { InvitationPreview } from '../dialog/InvitationPreview';
import { useBridge } from '../host/BridgeContext';
import { moved, sameOrder, toRuleInput } from '../lib/rule-proposal';
import { ruleText } from '../lib/rule-text';

export function AccountRules({
  account,
  onEdit,
  onSaved,
}: {
  account: LinkedAccount;
  onEdit: (rule: GroupRule | null) => void;
  /** Resolves once the list shows what was saved. */
  onSaved: () => Promise<void>;
}) {
  const bridge = useBridge();
  const [draft, setDraft] = useState<GroupRule[] | null>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const rules = draft ?? account.rules;
  const pending = draft !== null && !sameOrder(draft, account.rules);

  const change = (next: GroupRule[]) => setDraft(sameOrder(next, account.rules) ? null : next);

  // Removals first, then the order of what is left; a failure stops there and the list shows what was saved.
  const save = async () => {
    if (!draft) return;
    setSaving(true);
    setError(null);
    const kept = new Set(draft.map((rule) => rule.id));
    let message: string | null = null;
    for (const rule of account.rules.filter((r) => !kept.has(r.id))) {
      const removed = await deleteRule(bridge, account.id, rule.id);
      if (!removed.ok) {
        message = removed.message;
        break;
      }
    }
    const left = account.rules.filter((rule) => kept.has(rule.id));
    if (message === null && !sameOrder(left, draft)) {
      const ordered = await reorderRules(
        bridge,
        account.id,
        draft.map((rule) => rule.id),
      );
      if (!ordered.ok) message = ordered.message;
    }
    // The draft stays, its buttons disabled, until the list shows what was saved: no click acts on a list about to change.
    await onSaved();
    setSaving(false);
    setError(message);
    setDraft(null);
  };

  return (
    <Stack space="space.100" testId={`rules-${account.displayName}`}>
      <Heading as="h3" size="small">
        {account.displayName}
      </Heading>
      {error ? (
        <SectionMessage appearance="error" title="Couldn't change the rules">
          <p>{error}</p>
        </SectionMessage>
      ) : null}
      {rules.length === 0 ? (
        <Text color="color.text.subtlest">
          {pending ? 'No rules once saved: every new user gets the default groups.' : 'No rules: every new user gets the default groups.'}
        </Text>
      ) : (
        <ol className="ati-rules">
          {rules.map((rule, index) => (
            <li key={rule.id}>
              <Inline space="space.100" alignBlock="center" shouldWrap>
                <Text weight="bold">{rule.name}</Text>
                <Text>{ruleText(rule)}</Text>
                <Button spacing="compact" appearance="subtle" isDisabled={saving || index === 0} onClick={() => change(moved(rules, index, -1))}>
                  Move up
                </Button>
                <Button
                  spacing="compact"
                  appearance="subtle"
                  isDisabled={saving || index === rules.length - 1}
                  onClick={() => change(moved(rules, index, 1))}
                >
                  Move down
                </Button>
                <Button spacing="compact" isDisabled={saving || pending} onClick={() => onEdit(rule)}>
                  Change
                </Button>
                <Button spacing="compact" appearance="subtle" isDisabled={saving} onClick={() => change(rules.filter((r) => r.id !== rule.id))}>
                  Remove
                </Button>
              </Inline>
            </li>
          ))}
        </ol>
      )}
      {pending ? (
        <SectionMessage appearance="warning" title="These changes to the rules are not saved yet" testId={`rules-draft-${account.displayName}`}>
          <Stack space="space.100">
            <Text>Preview what the changed rules would do to the existing users, then save them or discard them.</Text>
            <InvitationPreview linkedAccountId={account.id} proposal={{ rules: rules.map(toRuleInput) }} />
            <Inline space="space.100">
              <Button appearance="primary" isLoading={saving} onClick={() => void save()}>
                Save changes
              </Button>
              <Button appearance="subtle" isDisabled={saving} onClick={() => setDraft(null)}>
                Discard changes
              </Button>
            </Inline>
          </Stack>
        </SectionMessage>
      ) : (
        <Inline>
          <Button onClick={() => onEdit(null)}>Add rule</Button>
        </Inline>
      )}
    </Stack>
  );
}

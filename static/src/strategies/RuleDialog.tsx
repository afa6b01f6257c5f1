// Adds or changes one rule of a linked account: a condition, and the groups to invite to instead of the defaults (or never invite),
// with a preview of what the whole list, this rule included, would do to the existing users before it is saved.
import { useState } from 'react';
import Button from '@atlaskit/button/new';
import { Checkbox } from '@atlaskit/checkbox';
import Modal, { ModalBody, ModalFooter, ModalHeader, ModalTitle, ModalTransition } from '@atlaskit/modal-dialog';
import { RadioGroup } from '@atlaskit/radio';
import SectionMessage from '@atlaskit/section-message';
import Textfield from '@atlaskit/textfield';
import { Stack, Text } from '@atlaskit/primitives';
import { addRule, updateRule } from '../api/strategies-api';
import type { GroupRef, GroupRule, LinkedAccount, RuleCondition, RuleInput } from '../api/types';
import { InvitationPreview } from '../dialog/InvitationPreview';
import { useBridge } from '../host/BridgeContext';
import { rulesWith } from '../lib/rule-proposal';
import { GroupPicker } from './GroupPicker';

type Kind = RuleCondition['kind'];

const KINDS: { value: Kind; label: string; field: string; help: string }[] = [
  { value: 'email-domain', label: 'Email domain', field: 'Email domains', help: 'Separate several with commas, like example.com, example.org.' },
  { value: 'jira-group', label: 'Jira group', field: 'Jira groups', help: 'Member of any of these Jira groups (names, separated by commas).' },
  { value: 'account-type', label: 'Account type', field: 'Account types', help: 'atlassian (people); app and customer accounts are never invited.' },
];

const listOf = (text: string) =>
  text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');

function valuesOf(condition: RuleCondition | undefined): string {
  if (!condition) return '';
  if (condition.kind === 'email-domain') return condition.domains.join(', ');
  if (condition.kind === 'jira-group') return condition.groups.join(', ');
  return condition.accountTypes.join(', ');
}

export function RuleDialog({ account, rule, onClose }: { account: LinkedAccount; rule: GroupRule | null; onClose: (saved: boolean) => void }) {
  const bridge = useBridge();
  const first = rule?.conditions[0];
  const [name, setName] = useState(rule?.name ?? '');
  const [kind, setKind] = useState<Kind>(first?.kind ?? 'email-domain');
  const [values, setValues] = useState(valuesOf(first));
  const [subdomains, setSubdomains] = useState(first?.kind === 'email-domain' ? first.includeSubdomains : true);
  const [action, setAction] = useState<'invite' | 'never-invite'>(rule?.action.kind ?? 'invite');
  const [groups, setGroups] = useState<GroupRef[]>(rule?.action.kind === 'invite' ? rule.action.groups : []);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const described = KINDS.find((k) => k.value === kind)!;

  const list = listOf(values);
  const condition: RuleCondition =
    kind === 'email-domain'
      ? { kind, domains: list, includeSubdomains: subdomains }
      : kind === 'jira-group'
        ? { kind, groups: list }
        : { kind, accountTypes: list };
  const input: RuleInput = {
    name: name.trim(),
    // Conditions this dialog does not show are kept as they are.
    conditions: [condition, ...(rule?.conditions.slice(1) ?? [])],
    action: action === 'invite' ? { kind: 'invite', groups: groups.map((g) => g.slug) } : { kind: 'never-invite' },
  };

  const save = async () => {
    setSaving(true);
    setError(null);
    const result = rule ? await updateRule(bridge, account.id, rule.id, input) : await addRule(bridge, account.id, input);
    setSaving(false);
    if (result.ok) onClose(true);
    else setError(result.message);
  };

  return (
    <ModalTransition>
      <Modal onClose={() => onClose(false)} label={rule ? 'Change rule' : 'Add rule'} width="medium">
        <ModalHeader>
          <ModalTitle>{rule ? `Change rule “${rule.name}”` : `Add a rule for ${account.displayName}`}</ModalTitle>
        </ModalHeader>
        <ModalBody>
          <Stack space="space.200">
            <Textfield
              aria-label="Rule name"
              placeholder="Rule name, e.g. Contractors"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
            />
            <Stack space="space.050">
              <Text weight="medium" id="ati-rule-kind">
                When a new user’s…
              </Text>
              <RadioGroup
                labelId="ati-rule-kind"
                options={KINDS.map((k) => ({ name: 'kind', value: k.value, label: k.label }))}
                value={kind}
                onChange={(e) => setKind(e.currentTarget.value as Kind)}
              />
              <Textfield aria-label={described.field} value={values} onChange={(e) => setValues(e.currentTarget.value)} />
              <Text size="small" color="color.text.subtlest">
                {described.help}
              </Text>
              {kind === 'email-domain' ? (
                <Checkbox label="Any subdomain too" isChecked={subdomains} onChange={(e) => setSubdomains(e.currentTarget.checked)} />
              ) : null}
            </Stack>
            <Stack space="space.050">
              <Text weight="medium" id="ati-rule-action">
                …matches, then
              </Text>
              <RadioGroup
                labelId="ati-rule-action"
                options={[
                  { name: 'action', value: 'invite', label: 'Invite to these groups instead of the defaults' },
                  { name: 'action', value: 'never-invite', label: 'Never invite' },
                ]}
                value={action}
                onChange={(e) => setAction(e.currentTarget.value as 'invite' | 'never-invite')}
              />
              {action === 'invite' ? (
                <GroupPicker
                  account={account}
                  legend={`Groups of ${account.displayName}`}
                  selected={groups}
                  onChange={setGroups}
                  isDisabled={saving}
                />
              ) : null}
            </Stack>
            <InvitationPreview linkedAccountId={account.id} proposal={{ rules: rulesWith(account.rules, rule?.id ?? null, input) }} />
            {error ? (
              <SectionMessage appearance="error" title="Couldn't save the rule">
                <p>{error}</p>
              </SectionMessage>
            ) : null}
          </Stack>
        </ModalBody>
        <ModalFooter>
          <Button appearance="subtle" onClick={() => onClose(false)}>
            Cancel
          </Button>
          <Button appearance="primary" isLoading={saving} onClick={() => void save()}>
            Save rule
          </Button>
        </ModalFooter>
      </Modal>
    </ModalTransition>
  );
}

// Rules: per linked account, an ordered list; the first rule a new user matches chooses their groups instead of the defaults.
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import Button from '@atlaskit/button/new';
import Heading from '@atlaskit/heading';
import SectionMessage from '@atlaskit/section-message';
import { Inline, Stack, Text } from '@atlaskit/primitives';
import { listLinkedAccounts } from '../api/admin-api';
import { deleteRule, reorderRules } from '../api/strategies-api';
import type { GroupRule, LinkedAccount, RuleCondition } from '../api/types';
import { useBridge } from '../host/BridgeContext';
import { useResource } from '../lib/use-resource';

// Only "Add rule" or "Change" opens it: its code (and the modal dialog's) loads then.
const RuleDialog = lazy(() => import('../strategies/RuleDialog').then((m) => ({ default: m.RuleDialog })));

function conditionText(condition: RuleCondition): string {
  switch (condition.kind) {
    case 'email-domain':
      return `email domain is ${condition.domains.join(' or ')}${condition.includeSubdomains ? ' (or a subdomain)' : ''}`;
    case 'jira-group':
      return `member of the Jira group ${condition.groups.join(' or ')}`;
    case 'account-type':
      return `account type is ${condition.accountTypes.join(' or ')}`;
  }
}

export function ruleText(rule: GroupRule): string {
  const when = rule.conditions.map(conditionText).join(' and ');
  const then = rule.action.kind === 'invite' ? `invite to ${rule.action.groups.map((g) => g.name).join(', ')}` : 'never invite';
  return `When ${when}: ${then}.`;
}

export function RulesSection({ refreshKey, onRulesChanged }: { refreshKey: number; onRulesChanged: () => void }) {
  const bridge = useBridge();
  const load = useCallback(() => listLinkedAccounts(bridge), [bridge]);
  const { state, reload } = useResource(load);
  const [editing, setEditing] = useState<{ account: LinkedAccount; rule: GroupRule | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void reload({ silent: true });
  }, [refreshKey, reload]);
  if (state.status !== 'ready' || state.data.linkedAccounts.length === 0) return null;

  const changed = () => {
    void reload({ silent: true });
    onRulesChanged();
  };
  const run = async (call: Promise<{ ok: boolean; message?: string }>) => {
    setError(null);
    const result = await call;
    if (!result.ok) setError(result.message ?? 'The change was not saved.');
    changed();
  };
  const move = (account: LinkedAccount, index: number, by: number) => {
    const ids = account.rules.map((r) => r.id);
    const [moved] = ids.splice(index, 1);
    ids.splice(index + by, 0, moved!);
    void run(reorderRules(bridge, account.id, ids));
  };

  return (
    <section aria-labelledby="ati-rules" className="ati-section">
      <Stack space="space.150">
        <Heading as="h2" size="medium" id="ati-rules">
          Rules
        </Heading>
        <Text as="p" color="color.text.subtle">
          Give some new users other groups than the defaults, or none. Rules are tried in order; the first that matches decides, and a user no rule
          matches gets the default groups.
        </Text>
        {error ? (
          <SectionMessage appearance="error" title="Couldn't change the rules">
            <p>{error}</p>
          </SectionMessage>
        ) : null}
        {state.data.linkedAccounts.map((account) => (
          <Stack key={account.id} space="space.100" testId={`rules-${account.displayName}`}>
            <Heading as="h3" size="small">
              {account.displayName}
            </Heading>
            {account.rules.length === 0 ? <Text color="color.text.subtlest">No rules: every new user gets the default groups.</Text> : null}
            {account.rules.length > 0 ? (
              <ol className="ati-rules">
                {account.rules.map((rule, index) => (
                  <li key={rule.id}>
                    <Inline space="space.100" alignBlock="center" shouldWrap>
                      <Text weight="bold">{rule.name}</Text>
                      <Text>{ruleText(rule)}</Text>
                      <Button spacing="compact" appearance="subtle" isDisabled={index === 0} onClick={() => move(account, index, -1)}>
                        Move up
                      </Button>
                      <Button
                        spacing="compact"
                        appearance="subtle"
                        isDisabled={index === account.rules.length - 1}
                        onClick={() => move(account, index, 1)}
                      >
                        Move down
                      </Button>
                      <Button spacing="compact" onClick={() => setEditing({ account, rule })}>
                        Change
                      </Button>
                      <Button spacing="compact" appearance="subtle" onClick={() => void run(deleteRule(bridge, account.id, rule.id))}>
                        Remove
                      </Button>
                    </Inline>
                  </li>
                ))}
              </ol>
            ) : null}
            <Inline>
              <Button onClick={() => setEditing({ account, rule: null })}>Add rule</Button>
            </Inline>
          </Stack>
        ))}
      </Stack>
      {editing ? (
        <Suspense fallback={null}>
          <RuleDialog
            account={editing.account}
            rule={editing.rule}
            onClose={(saved) => {
              setEditing(null);
              if (saved) changed();
            }}
          />
        </Suspense>
      ) : null}
    </section>
  );
}

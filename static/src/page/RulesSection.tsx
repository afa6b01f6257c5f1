// Rules: per linked account, an ordered list; the first rule a new user matches chooses their groups instead of the defaults.
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import Heading from '@atlaskit/heading';
import { Stack, Text } from '@atlaskit/primitives';
import { listLinkedAccounts } from '../api/admin-api';
import type { GroupRule, LinkedAccount } from '../api/types';
import { useBridge } from '../host/BridgeContext';
import { useResource } from '../lib/use-resource';
import { AccountRules } from './AccountRules';

// Only "Add rule" or "Change" opens it: its code (and the modal dialog's) loads then.
const RuleDialog = lazy(() => import('../strategies/RuleDialog').then((m) => ({ default: m.RuleDialog })));

export function RulesSection({ refreshKey, onRulesChanged }: { refreshKey: number; onRulesChanged: () => void }) {
  const bridge = useBridge();
  const load = useCallback(() => listLinkedAccounts(bridge), [bridge]);
  const { state, reload } = useResource(load);
  const [editing, setEditing] = useState<{ account: LinkedAccount; rule: GroupRule | null } | null>(null);
  useEffect(() => {
    void reload({ silent: true });
  }, [refreshKey, reload]);
  if (state.status !== 'ready' || state.data.linkedAccounts.length === 0) return null;

  const changed = async () => {
    onRulesChanged();
    await reload({ silent: true });
  };

  return (
    <section aria-labelledby="ati-rules" className="ati-section">
      <Stack space="space.150">
        <Heading as="h2" size="medium" id="ati-rules">
          Rules
        </Heading>
        <Text as="p" color="color.text.subtle">
          Give some new users other groups than the defaults, or none. Rules are tried in order; the first that matches decides, and a user no rule
          matches gets the default groups. Preview a change over the existing users before you save it.
        </Text>
        {state.data.linkedAccounts.map((account) => (
          <AccountRules key={account.id} account={account} onEdit={(rule) => setEditing({ account, rule })} onSaved={changed} />
        ))}
      </Stack>
      {editing ? (
        <Suspense fallback={null}>
          <RuleDialog
            account={editing.account}
            rule={editing.rule}
            onClose={(saved) => {
              setEditing(null);
              if (saved) void changed();
            }}
          />
        </Suspense>
      ) : null}
    </section>
  );
}

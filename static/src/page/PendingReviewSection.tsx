// Pending review: new Jira users whose invitations wait for an administrator (linked accounts in Review first mode).
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import Button from '@atlaskit/button/new';
import Heading from '@atlaskit/heading';
import Lozenge from '@atlaskit/lozenge';
import SectionMessage from '@atlaskit/section-message';
import { SimpleTag as Tag } from '@atlaskit/tag';
import { Box, Inline, Stack, Text } from '@atlaskit/primitives';
import { token } from '@atlaskit/tokens';
import { listPendingReview, sendFromReview, skipFromReview } from '../api/strategies-api';
import type { GroupRef, PendingReviewEntry } from '../api/types';
import { useBridge } from '../host/BridgeContext';
import { relativeTime } from '../lib/relative-time';
import { useResource } from '../lib/use-resource';
import { PENDING_REVIEW_QUERY } from './first-view';
import { GroupPicker } from '../strategies/GroupPicker';
import { useRefreshWhileVisible } from '../lib/use-refresh-while-visible';

const REFRESH_MS = 15_000;
// Only "Invite to other groups" opens it: its code (and the modal dialog's) loads then.
const InviteNowDialog = lazy(() => import('../strategies/InviteNowDialog').then((m) => ({ default: m.InviteNowDialog })));

export function PendingReviewSection({ refreshKey, onDecided }: { refreshKey: number; onDecided: () => void }) {
  const bridge = useBridge();
  const load = useCallback(() => listPendingReview(bridge, PENDING_REVIEW_QUERY), [bridge]);
  const { state, reload } = useResource(load);
  useEffect(() => {
    void reload({ silent: true });
  }, [refreshKey, reload]);
  useRefreshWhileVisible(reload, REFRESH_MS);
  const decided = () => {
    void reload({ silent: true });
    onDecided();
  };

  if (state.status !== 'ready' || state.data.total === 0) return null;
  const { entries, total } = state.data;
  return (
    <section aria-labelledby="ati-pending-review" className="ati-section">
      <Stack space="space.150">
        <Inline space="space.100" alignBlock="center">
          <Heading as="h2" size="medium" id="ati-pending-review">
            Pending review
          </Heading>
          <Lozenge appearance="new" isBold>
            {`${total} waiting`}
          </Lozenge>
        </Inline>
        <Text as="p" color="color.text.subtle">
          {total === 1 ? '1 new Jira user waits' : `${total} new Jira users wait`} for you to send or skip their invitations. Nothing expires: they
          wait until someone decides.
        </Text>
        <Stack space="space.100">
          {entries.map((entry) => (
            <PendingEntry key={`${entry.linkedAccountId}:${entry.accountId}`} entry={entry} onDecided={decided} />
          ))}
        </Stack>
      </Stack>
    </section>
  );
}

function PendingEntry({ entry, onDecided }: { entry: PendingReviewEntry; onDecided: () => void }) {
  const bridge = useBridge();
  const [editing, setEditing] = useState(false);
  const [groups, setGroups] = useState<GroupRef[]>(entry.groups.map(({ slug, name }) => ({ slug, name })));
  const [busy, setBusy] = useState<'send' | 'skip' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [inviting, setInviting] = useState(false);
  const name = entry.displayName ?? entry.accountId;

  const decide = async (what: 'send' | 'skip') => {
    setBusy(what);
    setError(null);
    const result =
      what === 'skip'
        ? await skipFromReview(bridge, entry.linkedAccountId, entry.accountId)
        : await sendFromReview(bridge, entry.linkedAccountId, entry.accountId, editing ? groups.map((g) => g.slug) : undefined);
    setBusy(null);
    if (result.ok) {
      bridge.showFlag({ type: 'success', title: what === 'send' ? `Invitations for ${name} are on their way` : `${name} was skipped` });
      onDecided();
    } else setError(result.message);
  };

  return (
    <Box
      padding="space.150"
      backgroundColor="color.background.neutral.subtle"
      style={{ border: `${token('border.width')} solid ${token('color.border')}`, borderRadius: token('radius.medium') }}
      testId="pending-review-entry"
    >
      <Stack space="space.100">
        <Inline space="space.100" alignBlock="center" shouldWrap>
          <Text weight="bold">{name}</Text>
          {entry.email ? <Text color="color.text.subtle">{entry.email}</Text> : null}
          <Text color="color.text.subtlest">
            {entry.linkedAccountName} · waiting since {relativeTime(entry.waitingSince)}
          </Text>
        </Inline>
        {editing ? (
          <GroupPicker
            account={{ id: entry.linkedAccountId, displayName: entry.linkedAccountName }}
            legend={`Groups of ${entry.linkedAccountName} for ${name}`}
            selected={groups}
            onChange={setGroups}
            isDisabled={busy !== null}
          />
        ) : (
          <Inline space="space.050" shouldWrap>
            {entry.groups.map((group) => (
              <Tag key={group.slug} text={group.name} />
            ))}
          </Inline>
        )}
        {error ? (
          <SectionMessage appearance="error" title="Couldn't save the decision">
            <p>{error}</p>
          </SectionMessage>
        ) : null}
        <Inline space="space.100">
          <Button
            appearance="primary"
            isLoading={busy === 'send'}
            isDisabled={busy !== null || (editing && groups.length === 0)}
            onClick={() => void decide('send')}
          >
            {editing ? 'Send to these groups' : 'Send'}
          </Button>
          <Button isLoading={busy === 'skip'} isDisabled={busy !== null} onClick={() => void decide('skip')}>
            Skip
          </Button>
          {!editing ? (
            <Button appearance="subtle" isDisabled={busy !== null} onClick={() => setEditing(true)}>
              Change groups
            </Button>
          ) : null}
          <Button appearance="subtle" isDisabled={busy !== null} onClick={() => setInviting(true)}>
            Invite to other groups
          </Button>
        </Inline>
      </Stack>
      {inviting ? (
        <Suspense fallback={null}>
          <InviteNowDialog
            initialUsers={[{ accountId: entry.accountId, displayName: entry.displayName }]}
            onClose={(sent) => {
              setInviting(false);
              if (sent) onDecided();
            }}
          />
        </Suspense>
      ) : null}
    </Box>
  );
}

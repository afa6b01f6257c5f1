// "Invite someone now": Jira users searched through the server, each linked account's default groups pre-ticked, sent at once.
import { useCallback, useState } from 'react';
import Button from '@atlaskit/button/new';
import { Checkbox } from '@atlaskit/checkbox';
import Lozenge from '@atlaskit/lozenge';
import Modal, { ModalBody, ModalFooter, ModalHeader, ModalTitle, ModalTransition } from '@atlaskit/modal-dialog';
import SectionMessage from '@atlaskit/section-message';
import Textfield from '@atlaskit/textfield';
import { Inline, Stack, Text } from '@atlaskit/primitives';
import { listLinkedAccounts } from '../api/admin-api';
import { inviteNow, searchJiraUsers } from '../api/strategies-api';
import type { GroupRef, JiraUser, ManualInviteResult } from '../api/types';
import { useBridge } from '../host/BridgeContext';
import { useResource } from '../lib/use-resource';
import { GroupPicker } from './GroupPicker';

export type InviteTarget = { accountId: string; displayName: string | null };

/** Who gets picked and what they get: the outcome per user, in a sentence. */
function summary(result: ManualInviteResult): string {
  if (result.error) return result.error;
  const counts = new Map<string, number>();
  for (const group of result.groups) counts.set(group.outcome, (counts.get(group.outcome) ?? 0) + 1);
  const words: Record<string, string> = {
    queued: 'on its way',
    requeued: 'sent again',
    'already-queued': 'already on its way',
    'already-sent': 'already sent',
    skipped: 'skipped',
  };
  return [...counts].map(([outcome, n]) => `${n} ${n === 1 ? 'invitation' : 'invitations'} ${words[outcome] ?? outcome}`).join(', ') + '.';
}

export function InviteNowDialog({
  onClose,
  initialUsers = [],
  linkedAccountId,
  initialGroups,
}: {
  onClose: (sent: boolean) => void;
  /** Users picked already (from a pending-review entry or an invitation row). */
  initialUsers?: InviteTarget[];
  /** Only this linked account, with these groups pre-ticked instead of its defaults. */
  linkedAccountId?: string;
  initialGroups?: GroupRef[];
}) {
  const bridge = useBridge();
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<JiraUser[] | null>(null);
  const [searchError, setSearchError] = useState<string | null>(null);
  const [picked, setPicked] = useState<InviteTarget[]>(initialUsers);
  const [choices, setChoices] = useState<Record<string, GroupRef[]>>({});
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [results, setResults] = useState<ManualInviteResult[] | null>(null);
  const loadAccounts = useCallback(() => listLinkedAccounts(bridge), [bridge]);
  const { state: accounts } = useResource(loadAccounts);
  const targets =
    accounts.status === 'ready'
      ? accounts.data.linkedAccounts.filter((a) => (linkedAccountId ? a.id === linkedAccountId : a.status !== 'unlinked'))
      : [];
  const groupsOf = (id: string, defaults: GroupRef[]) => choices[id] ?? (linkedAccountId === id && initialGroups ? initialGroups : defaults);

  const search = async () => {
    if (query.trim() === '') return;
    setSearchError(null);
    const result = await searchJiraUsers(bridge, query.trim());
    if (result.ok) setFound(result.body.users);
    else setSearchError(result.message);
  };
  const togglePick = (user: InviteTarget, on: boolean) =>
    setPicked((current) =>
      on ? [...current.filter((u) => u.accountId !== user.accountId), user] : current.filter((u) => u.accountId !== user.accountId),
    );

  const send = async () => {
    setSending(true);
    setError(null);
    const result = await inviteNow(bridge, {
      accountIds: picked.map((u) => u.accountId),
      targets: targets.map((a) => ({ linkedAccountId: a.id, groups: groupsOf(a.id, a.defaultGroups).map((g) => g.slug) })),
    });
    setSending(false);
    if (result.ok) setResults(result.body.results);
    else setError(result.message);
  };

  const pickedIds = new Set(picked.map((u) => u.accountId));
  const anyGroup = targets.some((a) => groupsOf(a.id, a.defaultGroups).length > 0);
  return (
    <ModalTransition>
      <Modal onClose={() => onClose(results !== null)} width="large" label="Invite someone now">
        <ModalHeader>
          <ModalTitle>Invite someone now</ModalTitle>
        </ModalHeader>
        <ModalBody>
          {results ? (
            <Stack space="space.100">
              {results.map((r) => (
                <Text as="p" key={r.accountId}>
                  <strong>{r.displayName ?? r.accountId}</strong>: {summary(r)}
                </Text>
              ))}
            </Stack>
          ) : (
            <Stack space="space.200">
              <Stack space="space.100">
                <Inline space="space.100" alignBlock="end">
                  <Textfield
                    aria-label="Search Jira users"
                    placeholder="Part of a name or an email address"
                    value={query}
                    onChange={(event) => setQuery(event.currentTarget.value)}
                    onKeyDown={(event) => {
                      if (event.key === 'Enter') void search();
                    }}
                  />
                  <Button onClick={() => void search()}>Search</Button>
                </Inline>
                {searchError ? (
                  <SectionMessage appearance="error" title="Couldn't search Jira's users">
                    <p>{searchError}</p>
                  </SectionMessage>
                ) : null}
                {found && found.length === 0 ? <Text color="color.text.subtle">No Jira user matches “{query.trim()}”.</Text> : null}
                {[
                  ...picked
                    .filter((u) => !found?.some((f) => f.accountId === u.accountId))
                    .map((u): JiraUser => ({ ...u, email: null, accountType: null, active: true })),
                  ...(found ?? []),
                ].map((user) => (
                  <Inline key={user.accountId} space="space.100" alignBlock="center">
                    <Checkbox
                      label={user.displayName ?? user.accountId}
                      isChecked={pickedIds.has(user.accountId)}
                      onChange={(event) => togglePick({ accountId: user.accountId, displayName: user.displayName }, event.currentTarget.checked)}
                    />
                    {user.email ? <Text color="color.text.subtle">{user.email}</Text> : null}
                    {user.accountType && user.accountType !== 'atlassian' ? <Lozenge>{user.accountType}</Lozenge> : null}
                  </Inline>
                ))}
              </Stack>
              {targets.map((account) => (
                <GroupPicker
                  key={account.id}
                  account={account}
                  legend={`Groups of ${account.displayName}`}
                  selected={groupsOf(account.id, account.defaultGroups)}
                  onChange={(groups) => setChoices((current) => ({ ...current, [account.id]: groups }))}
                  isDisabled={sending}
                />
              ))}
              {error ? (
                <SectionMessage appearance="error" title="Couldn't invite">
                  <p>{error}</p>
                </SectionMessage>
              ) : null}
            </Stack>
          )}
        </ModalBody>
        <ModalFooter>
          {results ? (
            <Button appearance="primary" onClick={() => onClose(true)}>
              Close
            </Button>
          ) : (
            <>
              <Button appearance="subtle" onClick={() => onClose(false)}>
                Cancel
              </Button>
              <Button appearance="primary" isLoading={sending} isDisabled={picked.length === 0 || !anyGroup} onClick={() => void send()}>
                {picked.length > 1 ? `Invite ${picked.length} users` : 'Invite'}
              </Button>
            </>
          )}
        </ModalFooter>
      </Modal>
    </ModalTransition>
  );
}

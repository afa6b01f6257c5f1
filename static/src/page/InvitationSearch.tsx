import Button from '@atlaskit/button/new';
import Textfield from '@atlaskit/textfield';
import { token } from '@atlaskit/tokens';
import { lazy, Suspense, useEffect, useState } from 'react';
import { listInvitations } from '../api/admin-api';
import { retryAllFailed, SHOW_INVITATIONS_EVENT, type ShowInvitations } from '../api/backfill-api';
import { useBridge } from '../host/BridgeContext';

const RetryFailedModal = lazy(() => import('./RetryFailedModal').then((m) => ({ default: m.RetryFailedModal })));

/** The list's search (any part of an email or a name, or an account id) and "Retry all failed" for the current filter. */
export function InvitationSearch({
  search,
  linkedAccountId,
  onSearch,
  onRetried,
}: {
  search: string;
  linkedAccountId: string;
  onSearch: (search: string) => void;
  onRetried: () => void;
}) {
  const bridge = useBridge();
  const [text, setText] = useState(search);
  const [failed, setFailed] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  // A search changed from outside (the banner's link clears it) shows in the field.
  const [shown, setShown] = useState(search);
  if (shown !== search) {
    setShown(search);
    setText(search);
  }
  useEffect(() => {
    const timer = window.setTimeout(() => {
      if (text.trim() !== search) onSearch(text.trim());
    }, 300);
    return () => window.clearTimeout(timer);
  }, [text, search, onSearch]);

  const askToRetry = async () => {
    const filter = { status: 'failed' as const, linkedAccountId, search, page: 1, pageSize: 1 };
    const result = await listInvitations(bridge, filter);
    if (!result.ok) return bridge.showFlag({ type: 'error', title: "Couldn't count the failed invitations", description: result.message });
    setFailed(result.body.total);
  };
  const retry = async (count: number) => {
    setBusy(true);
    const result = await retryAllFailed(bridge, { ...(linkedAccountId ? { linkedAccountId } : {}), ...(search ? { search } : {}) }, count);
    setBusy(false);
    setFailed(null);
    if (result.ok) bridge.showFlag({ type: 'success', title: `${result.body.retried} invitations queued again` });
    else bridge.showFlag({ type: 'error', title: "Couldn't retry the failed invitations", description: result.message });
    onRetried();
  };

  return (
    <div style={{ display: 'flex', gap: token('space.100'), alignItems: 'center' }}>
      <Textfield
        aria-label="Search invitations"
        placeholder="Search by email, name or account ID"
        value={text}
        onChange={(event) => setText(event.currentTarget.value)}
        width="large"
      />
      <Button onClick={() => void askToRetry()}>Retry all failed</Button>
      {failed !== null ? (
        <Suspense fallback={null}>
          <RetryFailedModal failed={failed} busy={busy} onClose={() => setFailed(null)} onRetry={(count) => void retry(count)} />
        </Suspense>
      ) : null}
    </div>
  );
}

/** Applies the filters another section asks the list to show (the attention banner's links). */
export function useShowInvitationRequests(apply: (filter: ShowInvitations) => void): void {
  useEffect(() => {
    const listener = (event: Event) => apply((event as CustomEvent<ShowInvitations>).detail);
    window.addEventListener(SHOW_INVITATIONS_EVENT, listener);
    return () => window.removeEventListener(SHOW_INVITATIONS_EVENT, listener);
  }, [apply]);
}

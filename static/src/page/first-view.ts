// What the page shows first (the linked accounts, the invitations, and above them the header's
// notices and the users waiting for review): its reads start as soon as the bridge is ready,
// while the page's code is still loading, and the sections below it wait until it has come.
import { listInvitations, listLinkedAccounts } from '../api/admin-api';
import { getSiteStatus } from '../api/site-status';
import { listPendingReview } from '../api/strategies-api';
import type { SharedReadsBridge } from '../host/shared-reads';

export const INVITATIONS_PAGE_SIZE = 25;
export const PENDING_REVIEW_QUERY = { page: 1, pageSize: 50 };

export interface FirstView {
  /** Settles when the main tables' data has come (or failed to). */
  loaded: Promise<void>;
  /** Whether new users wait for review: the section above the tables is part of the first view then. */
  reviewWaiting: Promise<boolean>;
}

export function startFirstView(bridge: SharedReadsBridge): FirstView {
  return bridge.prime((reads) => {
    const main = [
      listLinkedAccounts(reads),
      listInvitations(reads, { status: '', linkedAccountId: '', search: '', page: 1, pageSize: INVITATIONS_PAGE_SIZE }),
      // The invitations' filter names unlinked accounts too.
      listLinkedAccounts(reads, { includeUnlinked: true }),
    ];
    void getSiteStatus(reads);
    return {
      loaded: Promise.allSettled(main).then(() => undefined),
      reviewWaiting: listPendingReview(reads, PENDING_REVIEW_QUERY).then((answer) => answer.ok && answer.body.total > 0),
    };
  });
}

import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import Heading from '@atlaskit/heading';
import { Loading } from '../Loading';
import { AttentionBanner } from './AttentionBanner';
import type { FirstView } from './first-view';
import { InvitationsSection } from './InvitationsSection';
import { JiraEventsNotice } from './JiraEventsNotice';
import { InviteNowButton } from './InviteNowButton';
import { LinkedAccountsSection } from './LinkedAccountsSection';
import './page.css';

// The first view is the header, the linked accounts and the invitations. The other sections load
// their code (and their data) once that has come, so they neither hold it up nor compete with it.
const PendingReviewSection = lazy(() => import('./PendingReviewSection').then((m) => ({ default: m.PendingReviewSection })));
const RulesSection = lazy(() => import('./RulesSection').then((m) => ({ default: m.RulesSection })));
const BackfillSection = lazy(() => import('./BackfillSection').then((m) => ({ default: m.BackfillSection })));
const RemovalsSection = lazy(() => import('./RemovalsSection').then((m) => ({ default: m.RemovalsSection })));
const AuditLogSection = lazy(() => import('./AuditLogSection').then((m) => ({ default: m.AuditLogSection })));

/** A frame that is not shown gets no animation frames: it loads the rest after this long anyway. */
const HIDDEN_FRAME_MS = 250;

/** True once `promise` has settled (to anything but false) and the browser has painted what came with it. */
function useSettled(promise: Promise<unknown> | undefined): boolean {
  const [settled, setSettled] = useState(promise === undefined);
  useEffect(() => {
    let live = true;
    const settle = () => {
      if (live) setSettled(true);
    };
    const afterPaint = () => {
      requestAnimationFrame(() => setTimeout(settle, 0));
      setTimeout(settle, HIDDEN_FRAME_MS);
    };
    void promise?.then((value) => (value === false ? undefined : afterPaint()), afterPaint);
    return () => {
      live = false;
    };
  }, [promise]);
  return settled;
}

function Later({ label, show, children }: { label: string; show: boolean; children: ReactNode }) {
  return show ? <Suspense fallback={<Loading label={label} />}>{children}</Suspense> : null;
}

/** `firstView`: the reads the boot started (none in a test that renders the page alone: then every section shows at once). */
export function AdminPage({ firstView }: { firstView?: FirstView }) {
  // Bumped whenever the linked accounts change, so the invitations list refreshes too.
  const [accountsVersion, setAccountsVersion] = useState(0);
  // Bumped whenever the invitations change, so "Last invitation sent" refreshes too.
  const [invitationsVersion, setInvitationsVersion] = useState(0);
  const rest = useSettled(firstView?.loaded);
  // Users waiting for review are shown above the tables: part of the first view when there are any.
  const reviewWaiting = useSettled(firstView?.reviewWaiting);
  return (
    <main className="ati-page">
      <header className="ati-page__header">
        <Heading as="h1" size="large">
          Automatic team invitations
        </Heading>
        <p className="ati-page__intro">
          Link your Bitbucket Cloud workspaces, or the Atlassian organization that manages them, and choose the groups that newly-added Jira users
          join. When someone joins this Jira site, the app invites them to the workspace groups or adds them to the organization groups, and records
          every one of these invitations below, with its outcome.
        </p>
        <JiraEventsNotice refreshKey={invitationsVersion} />
        <InviteNowButton onInvited={() => setAccountsVersion((v) => v + 1)} />
        <AttentionBanner refreshKey={invitationsVersion + accountsVersion} />
      </header>
      <Later label="Loading pending review" show={rest || reviewWaiting}>
        <PendingReviewSection refreshKey={accountsVersion + invitationsVersion} onDecided={() => setAccountsVersion((v) => v + 1)} />
      </Later>
      <LinkedAccountsSection refreshKey={invitationsVersion} onAccountsChanged={() => setAccountsVersion((v) => v + 1)} />
      <Later label="Loading rules" show={rest}>
        <RulesSection refreshKey={accountsVersion} onRulesChanged={() => setAccountsVersion((v) => v + 1)} />
      </Later>
      <Later label="Loading backfill" show={rest}>
        <BackfillSection refreshKey={accountsVersion} />
      </Later>
      <InvitationsSection accountsVersion={accountsVersion} onInvitationsChanged={() => setInvitationsVersion((v) => v + 1)} />
      <Later label="Loading removals" show={rest}>
        <RemovalsSection refreshKey={invitationsVersion} />
      </Later>
      <Later label="Loading audit log" show={rest}>
        <AuditLogSection refreshKey={accountsVersion + invitationsVersion} />
      </Later>
    </main>
  );
}

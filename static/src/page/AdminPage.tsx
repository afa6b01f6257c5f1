import { useState } from 'react';
import { AttentionBanner } from './AttentionBanner';
import { AuditLogSection } from './AuditLogSection';
import { BackfillSection } from './BackfillSection';
import Heading from '@atlaskit/heading';
import { InvitationsSection } from './InvitationsSection';
import { JiraEventsNotice } from './JiraEventsNotice';
import { InviteNowButton } from './InviteNowButton';
import { LinkedAccountsSection } from './LinkedAccountsSection';
import { PendingReviewSection } from './PendingReviewSection';
import { RulesSection } from './RulesSection';
import { RemovalsSection } from './RemovalsSection';
import './page.css';

export function AdminPage() {
  // Bumped whenever the linked accounts change, so the invitations list refreshes too.
  const [accountsVersion, setAccountsVersion] = useState(0);
  // Bumped whenever the invitations change, so "Last invitation sent" refreshes too.
  const [invitationsVersion, setInvitationsVersion] = useState(0);
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
      <PendingReviewSection refreshKey={accountsVersion + invitationsVersion} onDecided={() => setAccountsVersion((v) => v + 1)} />
      <LinkedAccountsSection refreshKey={invitationsVersion} onAccountsChanged={() => setAccountsVersion((v) => v + 1)} />
      <RulesSection refreshKey={accountsVersion} onRulesChanged={() => setAccountsVersion((v) => v + 1)} />
      <BackfillSection refreshKey={accountsVersion} />
      <InvitationsSection accountsVersion={accountsVersion} onInvitationsChanged={() => setInvitationsVersion((v) => v + 1)} />
      <RemovalsSection refreshKey={invitationsVersion} />
      <AuditLogSection refreshKey={accountsVersion + invitationsVersion} />
    </main>
  );
}

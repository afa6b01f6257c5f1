import Avatar from '@atlaskit/avatar';
import Lozenge from '@atlaskit/lozenge';
import type { ThemeChoice } from './host/host-core';
import type { SandboxHost } from './sandbox-api';
import { ThemeSwitch } from './ThemeSwitch';

const HOSTS: Record<SandboxHost, { name: string; url: string }> = {
  connect: { name: 'Connect', url: '/sandbox/?host=connect' },
  forge: { name: 'Forge', url: '/sandbox/?host=forge' },
};

export function TopBar({
  host,
  adminName,
  siteUrl,
  theme,
  onTheme,
}: {
  host: SandboxHost;
  adminName?: string;
  siteUrl?: string;
  theme: ThemeChoice;
  onTheme: (choice: ThemeChoice) => void;
}) {
  const other: SandboxHost = host === 'forge' ? 'connect' : 'forge';
  return (
    <header className="sbx-topbar">
      <div className="sbx-topbar__brand">
        {/* The sandbox's own mark (no Atlassian logo package is a dependency); its colours are tokens. */}
        <svg width="24" height="24" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
          <rect width="24" height="24" rx="5" fill="var(--ds-background-brand-bold)" />
          <path d="M7 6.5h6.2a3.8 3.8 0 0 1 3.8 3.8v7.2h-2.6a3.8 3.8 0 0 1-3.8-3.8V9.1H7z" fill="var(--ds-text-inverse)" />
        </svg>
        <span className="sbx-topbar__product">Jira (sandbox)</span>
      </div>
      {siteUrl ? <span className="sbx-topbar__site">{siteUrl}</span> : null}
      <div className="sbx-topbar__spacer" />
      <div className="sbx-topbar__host" role="group" aria-label="Host played">
        <span>
          Playing the <Lozenge appearance="new">{HOSTS[host].name}</Lozenge> host
        </span>
        <a href={HOSTS[other].url}>Switch to {HOSTS[other].name}</a>
      </div>
      <ThemeSwitch choice={theme} onChoose={onTheme} />
      {adminName ? (
        <div className="sbx-topbar__user" title={`Signed in as ${adminName} (Jira administrator)`}>
          <Avatar size="small" name={adminName} />
          <span>{adminName}</span>
        </div>
      ) : null}
    </header>
  );
}

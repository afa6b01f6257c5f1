import { Avatar } from '../../src/ui/Avatar';
import { Lozenge } from '../../src/ui/Lozenge';
import type { SandboxHost } from './sandbox-api';

const HOSTS: Record<SandboxHost, { name: string; url: string }> = {
  connect: { name: 'Connect', url: '/sandbox/' },
  forge: { name: 'Forge', url: '/sandbox/?host=forge' },
};

export function TopBar({ host, adminName, siteUrl }: { host: SandboxHost; adminName?: string; siteUrl?: string }) {
  const other: SandboxHost = host === 'forge' ? 'connect' : 'forge';
  return (
    <header className="sbx-topbar">
      <div className="sbx-topbar__brand">
        <svg width="24" height="24" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
          <rect width="24" height="24" rx="5" fill="#1868DB" />
          <path d="M7 6.5h6.2a3.8 3.8 0 0 1 3.8 3.8v7.2h-2.6a3.8 3.8 0 0 1-3.8-3.8V9.1H7z" fill="#fff" />
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
      {adminName ? (
        <div className="sbx-topbar__user" title={`Signed in as ${adminName} (Jira administrator)`}>
          <Avatar name={adminName} size={24} />
          <span>{adminName}</span>
        </div>
      ) : null}
    </header>
  );
}

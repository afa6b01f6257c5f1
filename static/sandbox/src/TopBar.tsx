import { Avatar } from '../../src/ui/Avatar';

export function TopBar({ adminName, siteUrl }: { adminName?: string; siteUrl?: string }) {
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
      {adminName ? (
        <div className="sbx-topbar__user" title={`Signed in as ${adminName} (Jira administrator)`}>
          <Avatar name={adminName} size={24} />
          <span>{adminName}</span>
        </div>
      ) : null}
    </header>
  );
}

import type { ReactNode } from 'react';
import './empty-state.css';

export function EmptyState({
  header,
  description,
  primaryAction,
  illustration = 'list',
}: {
  header: string;
  description?: ReactNode;
  primaryAction?: ReactNode;
  illustration?: 'list' | 'link';
}) {
  return (
    <div className="ads-empty-state">
      <svg className="ads-empty-state__art" width="120" height="88" viewBox="0 0 120 88" aria-hidden="true" focusable="false">
        <rect x="14" y="10" width="92" height="68" rx="8" fill="#E9F2FF" />
        {illustration === 'link' ? (
          <g fill="none" strokeWidth="6" strokeLinecap="round">
            <rect x="30" y="34" width="30" height="20" rx="10" stroke="#1D7AFC" />
            <rect x="60" y="34" width="30" height="20" rx="10" stroke="#0055CC" />
            <path d="M48 44h24" stroke="#85B8FF" />
          </g>
        ) : (
          <g>
            <rect x="28" y="26" width="12" height="12" rx="6" fill="#85B8FF" />
            <rect x="46" y="29" width="46" height="6" rx="3" fill="#CCE0FF" />
            <rect x="28" y="50" width="12" height="12" rx="6" fill="#1D7AFC" />
            <rect x="46" y="53" width="34" height="6" rx="3" fill="#CCE0FF" />
          </g>
        )}
      </svg>
      <h3 className="ads-empty-state__header">{header}</h3>
      {description ? <p className="ads-empty-state__description">{description}</p> : null}
      {primaryAction ? <div className="ads-empty-state__actions">{primaryAction}</div> : null}
    </div>
  );
}

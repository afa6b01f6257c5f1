import type { ReactNode } from 'react';
import './tag.css';

export function Tag({ children, title }: { children: ReactNode; title?: string }) {
  return (
    <span className="ads-tag" title={title}>
      {children}
    </span>
  );
}

export function TagGroup({ children, label }: { children: ReactNode; label?: string }) {
  return (
    <ul className="ads-tag-group" aria-label={label}>
      {children}
    </ul>
  );
}

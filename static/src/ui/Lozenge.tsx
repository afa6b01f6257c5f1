import type { ReactNode } from 'react';
import './lozenge.css';

export type LozengeAppearance = 'default' | 'success' | 'removed' | 'inprogress' | 'moved' | 'new';

export function Lozenge({ appearance = 'default', children }: { appearance?: LozengeAppearance; children: ReactNode }) {
  return <span className={`ads-lozenge ads-lozenge--${appearance}`}>{children}</span>;
}

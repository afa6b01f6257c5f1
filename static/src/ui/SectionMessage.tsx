import type { ReactNode } from 'react';
import { Icon } from './Icon';
import './section-message.css';

export type SectionMessageAppearance = 'information' | 'warning' | 'error' | 'success';

const ICONS = { information: 'info', warning: 'warning', error: 'error', success: 'success' } as const;

export function SectionMessage({
  appearance = 'information',
  title,
  children,
  actions,
}: {
  appearance?: SectionMessageAppearance;
  title?: string;
  children?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <section
      className={`ads-section-message ads-section-message--${appearance}`}
      role={appearance === 'error' ? 'alert' : undefined}
      aria-label={title}
    >
      <span className="ads-section-message__icon">
        <Icon name={ICONS[appearance]} />
      </span>
      <div className="ads-section-message__content">
        {title ? <h3 className="ads-section-message__title">{title}</h3> : null}
        {children ? <div className="ads-section-message__body">{children}</div> : null}
        {actions ? <div className="ads-section-message__actions">{actions}</div> : null}
      </div>
    </section>
  );
}

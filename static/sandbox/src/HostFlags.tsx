// Flags in the bottom-left corner, as Jira shows them.
import { Icon } from '../../src/ui/Icon';
import type { HostCore, HostFlag } from './host/host-core';

const ICON = { info: 'info', success: 'success', warning: 'warning', error: 'error' } as const;

export function HostFlags({ core, flags }: { core: HostCore; flags: readonly HostFlag[] }) {
  return (
    <div className="sbx-flags" aria-live="polite" aria-label="Notifications" role="region">
      {flags.map((flag) => (
        <div key={flag.id} className={`sbx-flag sbx-flag--${flag.type}`} role="alert">
          <span className="sbx-flag__icon">
            <Icon name={ICON[flag.type]} />
          </span>
          <div className="sbx-flag__content">
            <p className="sbx-flag__title">{flag.title}</p>
            {flag.body ? <p className="sbx-flag__body">{flag.body}</p> : null}
          </div>
          <button type="button" className="sbx-flag__dismiss" aria-label="Dismiss" onClick={() => core.dismissFlag(flag.id)}>
            <Icon name="close" size={16} />
          </button>
        </div>
      ))}
    </div>
  );
}

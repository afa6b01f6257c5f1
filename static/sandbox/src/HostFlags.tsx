// Flags in the bottom-left corner, as Jira shows them: Atlassian's FlagGroup and Flag.
import Flag, { FlagGroup } from '@atlaskit/flag';
import ErrorIcon from '@atlaskit/icon/core/status-error';
import InformationIcon from '@atlaskit/icon/core/status-information';
import SuccessIcon from '@atlaskit/icon/core/status-success';
import WarningIcon from '@atlaskit/icon/core/status-warning';
import { token } from '@atlaskit/tokens';
import type { HostCore, HostFlag } from './host/host-core';

const ICONS = {
  info: <InformationIcon label="Information" color={token('color.icon.information')} />,
  success: <SuccessIcon label="Success" color={token('color.icon.success')} />,
  warning: <WarningIcon label="Warning" color={token('color.icon.warning')} />,
  error: <ErrorIcon label="Error" color={token('color.icon.danger')} />,
} as const;

export function HostFlags({ core, flags }: { core: HostCore; flags: readonly HostFlag[] }) {
  return (
    <FlagGroup label="Notifications" onDismissed={(id) => core.dismissFlag(String(id))}>
      {flags.map((flag) => (
        <Flag key={flag.id} id={flag.id} icon={ICONS[flag.type]} title={flag.title} description={flag.body || undefined} />
      ))}
    </FlagGroup>
  );
}

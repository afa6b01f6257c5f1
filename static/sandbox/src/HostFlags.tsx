// Flags in the bottom-left corner, as Jira shows them: Atlassian's FlagGroup and Flag.
import Flag, { FlagGroup } from '@atlaskit/flag';
import { token } from '@atlaskit/tokens';
import {
  StatusErrorIcon as ErrorIcon,
  StatusInformationIcon as InformationIcon,
  StatusSuccessIcon as SuccessIcon,
  StatusWarningIcon as WarningIcon,
} from '../../src/icons';
import type { HostCore, HostFlag } from './host/host-core';

const ICONS = {
  info: <InformationIcon label="Information" color={token('color.icon.information')} />,
  success: <SuccessIcon label="Success" color={token('color.icon.success')} />,
  warning: <WarningIcon label="Warning" color={token('color.icon.warning')} />,
  error: <ErrorIcon label="Error" color={token('color.icon.danger')} />,
} as const;

export function HostFlags({ core, flags }: { core: HostCore; flags: readonly HostFlag[] }) {
  return (
    // A landmark around the group, as Jira's flags are found by assistive technology; the group itself stays fixed at the corner.
    <section aria-label="Notifications">
      <FlagGroup label="Notifications" shouldRenderToParent onDismissed={(id) => core.dismissFlag(String(id))}>
        {flags.map((flag) => (
          <Flag key={flag.id} id={flag.id} icon={ICONS[flag.type]} title={flag.title} description={flag.body || undefined} />
        ))}
      </FlagGroup>
    </section>
  );
}

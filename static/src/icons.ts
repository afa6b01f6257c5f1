// The Atlassian icons this UI uses. @atlaskit/icon publishes its glyphs as CommonJS only: imported
// from this ES module package, a default import is the module object (Node's interop, which Vite 8
// follows), so the component is its `default`. Import icons from here, never from the package.
import type { ComponentType } from 'react';
import type { NewCoreIconProps } from '@atlaskit/icon';
import * as ChevronLeft from '@atlaskit/icon/core/chevron-left';
import * as ChevronRight from '@atlaskit/icon/core/chevron-right';
import * as LinkExternal from '@atlaskit/icon/core/link-external';
import * as ShowMoreHorizontal from '@atlaskit/icon/core/show-more-horizontal';
import * as StatusError from '@atlaskit/icon/core/status-error';
import * as StatusInformation from '@atlaskit/icon/core/status-information';
import * as StatusSuccess from '@atlaskit/icon/core/status-success';
import * as StatusWarning from '@atlaskit/icon/core/status-warning';

type Icon = ComponentType<NewCoreIconProps>;

function component(module: unknown): Icon {
  let value = module as { default?: unknown };
  // The module object, or (under another interop) the component itself, or its wrapper.
  while (typeof value === 'object' && value !== null && 'default' in value && value.default !== undefined)
    value = value.default as { default?: unknown };
  return value as unknown as Icon;
}

export const ChevronLeftIcon = component(ChevronLeft);
export const ChevronRightIcon = component(ChevronRight);
export const LinkExternalIcon = component(LinkExternal);
export const ShowMoreHorizontalIcon = component(ShowMoreHorizontal);
export const StatusErrorIcon = component(StatusError);
export const StatusInformationIcon = component(StatusInformation);
export const StatusSuccessIcon = component(StatusSuccess);
export const StatusWarningIcon = component(StatusWarning);

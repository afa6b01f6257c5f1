import type { GroupChoice } from '../api/types';
import { memberCountText, unavailableText, type GroupSelection } from '../lib/group-selection';
import { useId } from 'react';
import { Checkbox } from '@atlaskit/checkbox';
import { Fieldset } from '@atlaskit/form';
import { Stack } from '@atlaskit/primitives';

/**
 * One checkbox per group. A group that cannot be ticked is shown disabled with its reason as text
 * (a tooltip alone reaches neither keyboards nor screen readers); one that was ticked before stays
 * enabled, so that it can be unticked.
 */
export function GroupChecklist({
  legend,
  groups,
  selection,
  disabled,
  showSlug,
  onToggle,
  visibleLegend = false,
}: {
  legend: string;
  groups: readonly GroupChoice[];
  selection: GroupSelection;
  disabled: boolean;
  /** A Bitbucket group's slug is worth showing; an organization group's id is not. */
  showSlug: boolean;
  onToggle: (group: GroupChoice, on: boolean) => void;
  visibleLegend?: boolean;
}) {
  const id = useId();
  const list = (
    <Stack space="space.0">
      {groups.map((group) => {
        const checked = selection.has(group.slug);
        const reason = unavailableText(group);
        const details = [showSlug ? group.slug : null, group.description || null, memberCountText(group)].filter(Boolean).join(' · ');
        const describedBy = details || reason ? `${id}-${group.slug}` : undefined;
        return (
          <div key={group.slug} className="ati-group">
            <Checkbox
              label={group.name || group.slug}
              isChecked={checked}
              isDisabled={disabled || (reason !== null && !checked)}
              onChange={(event) => onToggle(group, event.currentTarget.checked)}
              aria-describedby={describedBy}
            />
            {describedBy ? (
              <p id={describedBy} className="ati-choice__description">
                {details ? <span className="ati-group__details">{details}</span> : null}
                {reason ? <span className="ati-group__unavailable">{reason}</span> : null}
              </p>
            ) : null}
          </div>
        );
      })}
    </Stack>
  );
  // A visible legend names the list; a hidden one names it for assistive technology only.
  return visibleLegend ? (
    <Fieldset legend={legend}>{list}</Fieldset>
  ) : (
    <fieldset className="ati-plain-fieldset">
      <legend className="ads-visually-hidden">{legend}</legend>
      {list}
    </fieldset>
  );
}

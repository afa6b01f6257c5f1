import type { GroupChoice } from '../api/types';
import { memberCountText, unavailableText, type GroupSelection } from '../lib/group-selection';
import { Checkbox } from '../ui/Checkbox';

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
  return (
    <fieldset className="ads-fieldset">
      <legend className={visibleLegend ? 'ads-fieldset__legend' : 'ads-visually-hidden'}>{legend}</legend>
      <div className="ads-choice-list">
        {groups.map((group) => {
          const checked = selection.has(group.slug);
          const reason = unavailableText(group);
          const details = [showSlug ? group.slug : null, group.description || null, memberCountText(group)].filter(Boolean).join(' · ');
          return (
            <Checkbox
              key={group.slug}
              label={group.name || group.slug}
              secondary={
                details || reason ? (
                  <>
                    {details ? <span className="ati-group__details">{details}</span> : null}
                    {reason ? <span className="ati-group__unavailable">{reason}</span> : null}
                  </>
                ) : undefined
              }
              checked={checked}
              disabled={disabled || (reason !== null && !checked)}
              onChange={(on) => onToggle(group, on)}
            />
          );
        })}
      </div>
    </fieldset>
  );
}

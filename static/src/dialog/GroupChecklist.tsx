import type { Group } from '../api/types';
import { Checkbox } from '../ui/Checkbox';

export function GroupChecklist({
  groups,
  selected,
  disabled,
  onChange,
}: {
  groups: Group[];
  selected: ReadonlySet<string>;
  disabled: boolean;
  onChange: (selected: ReadonlySet<string>) => void;
}) {
  const toggle = (slug: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(slug);
    else next.delete(slug);
    onChange(next);
  };
  return (
    <fieldset className="ads-fieldset">
      <legend className="ads-visually-hidden">Bitbucket groups</legend>
      <div className="ads-choice-list">
        {groups.map((group) => (
          <Checkbox
            key={group.slug}
            label={group.name || group.slug}
            secondary={group.slug}
            checked={selected.has(group.slug)}
            disabled={disabled}
            onChange={(on) => toggle(group.slug, on)}
          />
        ))}
      </div>
    </fieldset>
  );
}

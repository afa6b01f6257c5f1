import { useId } from 'react';
import { Label } from '@atlaskit/form';
import { Inline } from '@atlaskit/primitives';
import Select from '@atlaskit/select';

export interface FilterOption {
  value: string;
  label: string;
}

/** A compact filter above a table: its label on the left, an Atlassian Select on the right. */
export function FilterSelect({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: string;
  options: FilterOption[];
  onChange: (value: string) => void;
}) {
  const id = useId();
  return (
    <Inline space="space.100" alignBlock="center">
      <Label htmlFor={id}>{label}</Label>
      <div className="ati-filter">
        <Select<FilterOption>
          inputId={id}
          classNamePrefix="ati-select"
          spacing="compact"
          options={options}
          value={options.find((option) => option.value === value) ?? null}
          onChange={(option) => onChange(option?.value ?? '')}
          isSearchable={options.length > 8}
        />
      </div>
    </Inline>
  );
}

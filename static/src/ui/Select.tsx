import { useId } from 'react';
import './textfield.css';

export interface SelectOption {
  value: string;
  label: string;
}

/** A native <select> styled as an ADS Select (compact, with an inline label). */
export function Select({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: string;
  options: SelectOption[];
  onChange: (value: string) => void;
}) {
  const id = useId();
  return (
    <div className="ads-inline-field">
      <label className="ads-inline-field__label" htmlFor={id}>
        {label}
      </label>
      <select id={id} className="ads-select" value={value} onChange={(event) => onChange(event.target.value)}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

import { forwardRef, useId, type ReactNode } from 'react';
import { Field } from './Field';
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

/** A native <select> as a form field: label above, helper text and error below (see Field). */
export const SelectField = forwardRef<
  HTMLSelectElement,
  {
    label: string;
    value: string;
    options: SelectOption[];
    onChange: (value: string) => void;
    /** Shown as a first, unselectable option while nothing is chosen. */
    placeholder?: string;
    required?: boolean;
    disabled?: boolean;
    error?: string;
    helperText?: ReactNode;
  }
>(function SelectField({ label, value, options, onChange, placeholder, required, disabled, error, helperText }, ref) {
  return (
    <Field label={label} required={required} helperText={helperText} error={error}>
      {(control) => (
        <select ref={ref} className="ads-select" value={value} disabled={disabled} onChange={(event) => onChange(event.target.value)} {...control}>
          {placeholder !== undefined && value === '' ? (
            <option value="" disabled>
              {placeholder}
            </option>
          ) : null}
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
});

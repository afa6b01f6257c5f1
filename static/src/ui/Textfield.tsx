import { forwardRef, type InputHTMLAttributes, type ReactNode } from 'react';
import { Field } from './Field';
import './textfield.css';

export interface TextfieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'onChange' | 'value'> {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  helperText?: ReactNode;
  required?: boolean;
}

export const Textfield = forwardRef<HTMLInputElement, TextfieldProps>(function Textfield(
  { label, value, onChange, error, helperText, required, type = 'text', ...rest },
  ref,
) {
  return (
    <Field label={label} required={required} helperText={helperText} error={error}>
      {(control) => (
        <input
          ref={ref}
          className="ads-textfield"
          type={type}
          value={value}
          onChange={(event) => onChange(event.target.value)}
          spellCheck={false}
          {...control}
          {...rest}
        />
      )}
    </Field>
  );
});

// Label + control + helper text + error message, wired with ids for assistive technology.
import { useId, type ReactNode } from 'react';
import { Icon } from './Icon';
import './field.css';

export interface FieldControlProps {
  id: string;
  'aria-invalid': boolean | undefined;
  'aria-describedby': string | undefined;
  'aria-required': boolean | undefined;
}

export function Field({
  label,
  required,
  helperText,
  error,
  children,
}: {
  label: string;
  required?: boolean;
  helperText?: ReactNode;
  error?: string;
  children: (props: FieldControlProps) => ReactNode;
}) {
  const id = useId();
  const helperId = `${id}-helper`;
  const errorId = `${id}-error`;
  const describedBy = [error ? errorId : '', helperText ? helperId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className="ads-field">
      <div className="ads-field__label-row">
        <label className="ads-field__label" htmlFor={id}>
          {label}
        </label>
        {/* Outside the <label>: the accessible name stays exactly `label`. */}
        {required ? (
          <span className="ads-field__required" aria-hidden="true">
            *
          </span>
        ) : null}
      </div>
      {children({ id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy, 'aria-required': required || undefined })}
      {error ? (
        <p className="ads-field__error" id={errorId}>
          <Icon name="error" size={16} />
          <span>{error}</span>
        </p>
      ) : null}
      {helperText ? (
        <p className="ads-field__helper" id={helperId}>
          {helperText}
        </p>
      ) : null}
    </div>
  );
}

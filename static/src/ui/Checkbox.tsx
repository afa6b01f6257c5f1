import { useId, type ReactNode } from 'react';
import './choice.css';

/** A checkbox whose accessible name is exactly `label`; `secondary` is its description. */
export function Checkbox({
  label,
  secondary,
  checked,
  onChange,
  disabled,
}: {
  label: string;
  secondary?: ReactNode;
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
}) {
  const id = useId();
  return (
    <div className="ads-choice">
      <input
        id={id}
        className="ads-choice__input ads-checkbox"
        type="checkbox"
        checked={checked}
        disabled={disabled}
        onChange={(event) => onChange(event.target.checked)}
        aria-describedby={secondary ? `${id}-secondary` : undefined}
      />
      <span className="ads-choice__text">
        <label htmlFor={id}>{label}</label>
        {secondary ? (
          <span id={`${id}-secondary`} className="ads-choice__secondary">
            {secondary}
          </span>
        ) : null}
      </span>
    </div>
  );
}

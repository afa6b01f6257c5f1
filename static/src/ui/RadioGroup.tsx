import { useId } from 'react';
import './choice.css';

export interface RadioOption<V extends string> {
  value: V;
  label: string;
  description?: string;
}

export function RadioGroup<V extends string>({
  legend,
  name,
  value,
  options,
  onChange,
  disabled,
}: {
  legend: string;
  name: string;
  value: V;
  options: RadioOption<V>[];
  onChange: (value: V) => void;
  disabled?: boolean;
}) {
  const id = useId();
  return (
    <fieldset className="ads-fieldset" disabled={disabled}>
      <legend className="ads-fieldset__legend">{legend}</legend>
      <div className="ads-choice-list">
        {options.map((option) => {
          const optionId = `${id}-${option.value}`;
          return (
            <div key={option.value} className="ads-choice">
              <input
                id={optionId}
                className="ads-choice__input ads-radio"
                type="radio"
                name={name}
                value={option.value}
                checked={value === option.value}
                onChange={() => onChange(option.value)}
                aria-describedby={option.description ? `${optionId}-desc` : undefined}
              />
              <span className="ads-choice__text">
                <label htmlFor={optionId}>{option.label}</label>
                {option.description ? (
                  <span id={`${optionId}-desc`} className="ads-choice__secondary">
                    {option.description}
                  </span>
                ) : null}
              </span>
            </div>
          );
        })}
      </div>
    </fieldset>
  );
}

// Form fields on Atlassian's components: @atlaskit/textfield, @atlaskit/select and @atlaskit/radio,
// labelled and described with @atlaskit/form's Label, RequiredAsterisk, HelperMessage and ErrorMessage.
// Our own wiring (no package fits): @atlaskit/form's Field keeps the value in its own Form state,
// while these forms keep theirs in React state with their own validation (lib/credentials-form.ts).
import { forwardRef, useId, type ReactNode } from 'react';
import { ErrorMessage, Fieldset, HelperMessage, Label, RequiredAsterisk } from '@atlaskit/form';
import { Box, Stack, xcss } from '@atlaskit/primitives';
import { Radio } from '@atlaskit/radio';
import Select from '@atlaskit/select';
import { useEscapeClosesMenuOnly } from './escape-closes-menu-only';
import Textfield from '@atlaskit/textfield';
import type { InputHTMLAttributes } from 'react';

const fieldStyles = xcss({ marginBlockStart: 'space.200' });

interface FieldFrame {
  label: string;
  required?: boolean;
  helperText?: ReactNode;
  error?: string;
}

function FieldFrame({ id, label, required, helperText, error, children }: FieldFrame & { id: string; children: ReactNode }) {
  return (
    <Box xcss={fieldStyles}>
      {/* The asterisk outside the <label>: the accessible name stays exactly `label`. */}
      <Label htmlFor={id}>{label}</Label>
      {required ? <RequiredAsterisk /> : null}
      {children}
      {error ? (
        <div id={`${id}-error`}>
          <ErrorMessage>{error}</ErrorMessage>
        </div>
      ) : null}
      {helperText ? (
        <div id={`${id}-helper`}>
          <HelperMessage>{helperText}</HelperMessage>
        </div>
      ) : null}
    </Box>
  );
}

function describedBy(id: string, error: string | undefined, helperText: ReactNode): string | undefined {
  return [error ? `${id}-error` : '', helperText ? `${id}-helper` : ''].filter(Boolean).join(' ') || undefined;
}

export interface TextFieldProps extends FieldFrame, Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'onChange' | 'value' | 'size'> {
  value: string;
  onChange: (value: string) => void;
}

export const TextField = forwardRef<HTMLInputElement, TextFieldProps>(function TextField(
  { label, required, helperText, error, value, onChange, disabled, readOnly, type = 'text', ...rest },
  ref,
) {
  const id = useId();
  return (
    <FieldFrame id={id} label={label} required={required} helperText={helperText} error={error}>
      <Textfield
        {...rest}
        ref={ref}
        id={id}
        type={type}
        value={value}
        isInvalid={Boolean(error)}
        isDisabled={disabled}
        isReadOnly={readOnly}
        isRequired={required}
        spellCheck={false}
        aria-describedby={describedBy(id, error, helperText)}
        onChange={(event) => onChange(event.currentTarget.value)}
      />
    </FieldFrame>
  );
});

export interface Option {
  value: string;
  label: string;
}

export const SelectField = forwardRef<
  HTMLElement,
  FieldFrame & { value: string; options: Option[]; onChange: (value: string) => void; placeholder?: string; disabled?: boolean }
>(function SelectField({ label, required, helperText, error, value, options, onChange, placeholder, disabled }, ref) {
  const id = useId();
  const escapeClosesMenuOnly = useEscapeClosesMenuOnly();
  return (
    <FieldFrame id={id} label={label} required={required} helperText={helperText} error={error}>
      <Select<Option>
        {...escapeClosesMenuOnly}
        inputId={id}
        classNamePrefix="ati-select"
        // The field's focusable element is the Select's input (its inputId), mounted by the time this runs.
        ref={(select: unknown) => {
          const input = select ? document.getElementById(id) : null;
          if (typeof ref === 'function') ref(input);
          else if (ref) ref.current = input;
        }}
        options={options}
        value={options.find((option) => option.value === value) ?? null}
        placeholder={placeholder}
        isDisabled={disabled}
        isInvalid={Boolean(error)}
        aria-describedby={describedBy(id, error, helperText)}
        onChange={(option) => onChange(option?.value ?? '')}
      />
    </FieldFrame>
  );
});

export interface RadioOption<V extends string> {
  value: V;
  label: string;
  description?: string;
}

/** One radio per option, each named exactly by its label and described by its line of text. */
export function RadioField<V extends string>({
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
    <Box xcss={fieldStyles}>
      <Fieldset legend={legend}>
        <Stack space="space.050">
          {options.map((option) => (
            <div key={option.value}>
              <Radio
                name={name}
                value={option.value}
                label={option.label}
                isChecked={value === option.value}
                isDisabled={disabled}
                onChange={() => onChange(option.value)}
                aria-describedby={option.description ? `${id}-${option.value}` : undefined}
              />
              {option.description ? (
                <p id={`${id}-${option.value}`} className="ati-choice__description">
                  {option.description}
                </p>
              ) : null}
            </div>
          ))}
        </Stack>
      </Fieldset>
    </Box>
  );
}

import DropdownMenu, { DropdownItemRadio, DropdownItemRadioGroup } from '@atlaskit/dropdown-menu';
import type { ThemeChoice } from './host/host-core';

const LABELS: Record<ThemeChoice, string> = { light: 'Light', dark: 'Dark', auto: 'Match browser' };

/** Jira's theme choice: light, dark or match browser. */
export function ThemeSwitch({ choice, onChoose }: { choice: ThemeChoice; onChoose: (choice: ThemeChoice) => void }) {
  return (
    <DropdownMenu trigger={`Theme: ${LABELS[choice]}`} shouldRenderToParent>
      <DropdownItemRadioGroup id="sbx-theme" title="Theme">
        {(Object.keys(LABELS) as ThemeChoice[]).map((value) => (
          <DropdownItemRadio key={value} id={value} isSelected={choice === value} onClick={() => onChoose(value)}>
            {LABELS[value]}
          </DropdownItemRadio>
        ))}
      </DropdownItemRadioGroup>
    </DropdownMenu>
  );
}

import { describe, expect, it } from 'vitest';
import { resolveTheme } from './host/host-core';
import { initialThemeChoice } from './theme';

describe('the sandbox theme switch', () => {
  it('starts on ?theme=, else the stored choice, else light', () => {
    expect(initialThemeChoice('?theme=dark', 'light')).toBe('dark');
    expect(initialThemeChoice('?host=forge', 'auto')).toBe('auto');
    expect(initialThemeChoice('', null)).toBe('light');
    expect(initialThemeChoice('?theme=purple', 'nonsense')).toBe('light');
  });
  it('resolves match browser to the browser preference and says it follows it', () => {
    expect(resolveTheme('auto', true)).toEqual({ colorMode: 'dark', auto: true });
    expect(resolveTheme('auto', false)).toEqual({ colorMode: 'light', auto: true });
    expect(resolveTheme('dark', false)).toEqual({ colorMode: 'dark', auto: false });
  });
});

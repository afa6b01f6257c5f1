// The sandbox's theme switch, as Jira's (light, dark, match browser): the chrome follows it through
// @atlaskit/tokens, and the hosts pass it to every app frame that opted in to theming.
import { useCallback, useEffect, useState } from 'react';
import { applyColorMode } from '../../src/theme/host-theme';
import { resolveTheme, type HostCore, type ThemeChoice } from './host/host-core';

const STORAGE_KEY = 'ati-sandbox-theme';
const DARK_QUERY = '(prefers-color-scheme: dark)';

export function parseThemeChoice(value: string | null | undefined): ThemeChoice | null {
  return value === 'light' || value === 'dark' || value === 'auto' ? value : null;
}

/** `?theme=light|dark|auto` wins (links and tests), then the last choice made here, then light (Jira's default). */
export function initialThemeChoice(search: string, stored: string | null): ThemeChoice {
  return parseThemeChoice(new URLSearchParams(search).get('theme')) ?? parseThemeChoice(stored) ?? 'light';
}

function readStored(): string | null {
  try {
    return window.localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function useSandboxTheme(core: HostCore): { choice: ThemeChoice; choose: (choice: ThemeChoice) => void } {
  const [choice, setChoice] = useState<ThemeChoice>(() => initialThemeChoice(window.location.search, readStored()));

  useEffect(() => {
    void applyColorMode(choice);
    const media = window.matchMedia(DARK_QUERY);
    const publish = () => core.setTheme(resolveTheme(choice, media.matches));
    publish();
    media.addEventListener('change', publish);
    return () => media.removeEventListener('change', publish);
  }, [core, choice]);

  const choose = useCallback((next: ThemeChoice) => {
    setChoice(next);
    try {
      window.localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Private mode: the choice lasts until reload.
    }
  }, []);

  return { choice, choose };
}

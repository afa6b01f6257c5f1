// Follows the host's theme. Both hosts write the user's theme on this frame's <html> once the app
// opts in (Connect: AP.theming.initializeTheming(); Forge: view.theme.enable()):
// data-color-mode="light|dark" (the mode to render), data-color-mode-auto when it follows the
// browser, data-theme with the theme ids. The token values come from @atlaskit/tokens'
// setGlobalTheme, which loads only the theme sheets the mode needs (split chunks).
import { setGlobalTheme } from '@atlaskit/tokens/set-global-theme';

export type ColorMode = 'light' | 'dark' | 'auto';

/** The colour mode the host wrote on `root`: 'auto' when it follows the browser, null before it says. */
export function hostColorMode(root: { getAttribute: (name: string) => string | null; hasAttribute: (name: string) => boolean }): ColorMode | null {
  if (root.hasAttribute('data-color-mode-auto')) return 'auto';
  const mode = root.getAttribute('data-color-mode');
  return mode === 'dark' || mode === 'light' ? mode : null;
}

const THEME = { light: 'light', dark: 'dark', spacing: 'spacing', typography: 'typography', shape: 'shape' } as const;

/** Applies a colour mode (and the typography, spacing and shape themes) to this document. */
export function applyColorMode(colorMode: ColorMode): Promise<unknown> {
  return setGlobalTheme({ ...THEME, colorMode });
}

/**
 * Renders light until the host says otherwise, then follows every change the host writes on
 * <html>. `optIn` is the host's theming call; a host that refuses it leaves the page light.
 *
 * setGlobalTheme writes the same attributes as the host, once its theme sheets have loaded. So
 * the host is asked only once the first (light) theme is written: asked earlier, a host's "dark"
 * could come first, and the late "light" write would then read as the host's own word.
 */
export function followHostTheme(optIn: () => Promise<unknown> | void): Promise<void> {
  const root = document.documentElement;
  let applied: ColorMode | null = null;
  const sync = (): Promise<unknown> => {
    const mode = hostColorMode(root) ?? 'light';
    if (mode === applied) return Promise.resolve();
    applied = mode;
    return applyColorMode(mode).then(
      () => {
        // The mode the page is drawn in now that its sheets are in (resolved, for 'auto'): what a
        // check of the drawn page waits for, since the host writes its mode before that.
        if (applied === mode) root.dataset.atiThemeDrawn = root.dataset.colorMode ?? mode;
      },
      () => undefined,
    );
  };
  return sync().then(() => {
    new MutationObserver(() => void sync()).observe(root, { attributes: true, attributeFilter: ['data-color-mode', 'data-color-mode-auto'] });
    try {
      void Promise.resolve(optIn()).catch(() => undefined);
    } catch {
      // A host without theming: stay light.
    }
  });
}

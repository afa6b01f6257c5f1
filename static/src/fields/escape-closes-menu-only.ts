// Escape in an open Select menu closes the menu, not the modal dialog around it. The Select closes
// its menu on Escape, but lets the keydown go on; the modal dialog listens for Escape on the window
// and closed itself (and lost what was typed) as well. While the menu is open, the keydown stops
// at the Select once it has done its part; with the menu closed, Escape still closes the dialog.
import { useRef, type KeyboardEvent } from 'react';

export function useEscapeClosesMenuOnly(): {
  onMenuOpen: () => void;
  onMenuClose: () => void;
  onKeyDown: (event: KeyboardEvent<HTMLElement>) => void;
} {
  const menuOpen = useRef(false);
  return {
    onMenuOpen: () => {
      menuOpen.current = true;
    },
    onMenuClose: () => {
      menuOpen.current = false;
    },
    // Runs before the Select's own handling, which then closes the menu (the event is not prevented).
    onKeyDown: (event) => {
      if (event.key === 'Escape' && menuOpen.current) event.stopPropagation();
    },
  };
}

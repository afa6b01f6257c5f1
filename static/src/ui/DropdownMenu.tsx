// ADS-like DropdownMenu: a trigger button (aria-haspopup="menu") and a menu of items.
// Keyboard: Enter/Space/ArrowDown open and focus the first item, ArrowUp the last; inside,
// ArrowUp/ArrowDown/Home/End move, Enter/Space choose, Escape closes back to the trigger,
// Tab closes. A click outside closes.
import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { Icon } from './Icon';
import './dropdown-menu.css';

export interface MenuItem {
  key: string;
  label: string;
  onSelect: () => void;
  appearance?: 'danger';
  disabled?: boolean;
}

export function DropdownMenu({
  triggerLabel,
  items,
  triggerContent,
}: {
  /** The trigger's accessible name. */
  triggerLabel: string;
  items: MenuItem[];
  triggerContent?: ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const triggerRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLUListElement>(null);
  const wrapperRef = useRef<HTMLDivElement>(null);
  const focusOnOpen = useRef<'first' | 'last'>('first');

  const itemEls = () => Array.from(menuRef.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]:not([disabled])') ?? []);

  useEffect(() => {
    if (!open) return;
    const els = itemEls();
    (focusOnOpen.current === 'last' ? els[els.length - 1] : els[0])?.focus();
    const onPointer = (event: MouseEvent) => {
      if (!wrapperRef.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onPointer);
    return () => document.removeEventListener('mousedown', onPointer);
  }, [open]);

  const openMenu = (focus: 'first' | 'last') => {
    focusOnOpen.current = focus;
    setOpen(true);
  };

  const close = (returnFocus: boolean) => {
    setOpen(false);
    if (returnFocus) triggerRef.current?.focus();
  };

  const onTriggerKeyDown = (event: KeyboardEvent<HTMLButtonElement>) => {
    if (event.key === 'ArrowDown' || event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      openMenu('first');
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      openMenu('last');
    }
  };

  const onMenuKeyDown = (event: KeyboardEvent<HTMLUListElement>) => {
    const els = itemEls();
    const index = els.indexOf(document.activeElement as HTMLButtonElement);
    const move = (to: number) => {
      event.preventDefault();
      els[(to + els.length) % els.length]?.focus();
    };
    switch (event.key) {
      case 'ArrowDown':
        move(index + 1);
        break;
      case 'ArrowUp':
        move(index - 1);
        break;
      case 'Home':
        move(0);
        break;
      case 'End':
        move(els.length - 1);
        break;
      case 'Escape':
        event.preventDefault();
        event.stopPropagation();
        close(true);
        break;
      case 'Tab':
        setOpen(false);
        break;
      default:
        break;
    }
  };

  return (
    <div className="ads-dropdown" ref={wrapperRef}>
      <button
        ref={triggerRef}
        type="button"
        className={`ads-button ads-button--subtle ads-dropdown__trigger${open ? ' ads-dropdown__trigger--open' : ''}`}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        aria-label={triggerLabel}
        onClick={() => (open ? close(false) : openMenu('first'))}
        onKeyDown={onTriggerKeyDown}
      >
        {triggerContent ?? <Icon name="more" size={16} />}
      </button>
      {open ? (
        <ul ref={menuRef} id={menuId} className="ads-dropdown__menu" role="menu" aria-label={triggerLabel} onKeyDown={onMenuKeyDown}>
          {items.map((item) => (
            <li key={item.key} role="none">
              <button
                type="button"
                role="menuitem"
                tabIndex={-1}
                disabled={item.disabled}
                className={`ads-dropdown__item${item.appearance === 'danger' ? ' ads-dropdown__item--danger' : ''}`}
                onClick={() => {
                  close(true);
                  item.onSelect();
                }}
              >
                {item.label}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

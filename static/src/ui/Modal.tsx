// ADS-like modal dialog: blanket, focus trap, Escape to close, focus restored on close.
import { useEffect, useId, useLayoutEffect, useRef, useState, type ReactNode, type RefObject } from 'react';
import { createPortal } from 'react-dom';
import { focusableWithin, inertOutside, trapTab } from './focus';
import { Icon } from './Icon';
import './modal.css';

export function Modal({
  title,
  onClose,
  children,
  footer,
  width = 'medium',
  appearance,
  initialFocusRef,
  canClose = true,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  width?: 'small' | 'medium' | 'large';
  appearance?: 'danger';
  initialFocusRef?: RefObject<HTMLElement | null>;
  /** False while a request runs: Escape and the blanket then do nothing. */
  canClose?: boolean;
}) {
  const titleId = useId();
  // The portal's own element, made once per dialog (a lazy initial state runs only on the first render).
  const [container] = useState(() => {
    const element = document.createElement('div');
    element.className = 'ads-modal-portal';
    return element;
  });
  const dialogRef = useRef<HTMLDivElement>(null);
  // The latest callbacks, for the key handler registered once; refreshed after every render.
  const onCloseRef = useRef(onClose);
  const canCloseRef = useRef(canClose);
  useLayoutEffect(() => {
    onCloseRef.current = onClose;
    canCloseRef.current = canClose;
  });

  useLayoutEffect(() => {
    const previouslyFocused = document.activeElement as HTMLElement | null;
    document.body.appendChild(container);
    const restoreInert = inertOutside(container);
    const dialog = dialogRef.current!;
    const target = initialFocusRef?.current ?? focusableWithin(dialog)[0] ?? dialog;
    target.focus();
    return () => {
      restoreInert();
      container.remove();
      if (previouslyFocused && previouslyFocused.isConnected) previouslyFocused.focus();
    };
    // Mount/unmount only.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && canCloseRef.current) {
        event.preventDefault();
        event.stopPropagation();
        onCloseRef.current();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const modal = (
    <div
      className="ads-blanket"
      onMouseDown={(event) => {
        if (event.target === event.currentTarget && canCloseRef.current) onCloseRef.current();
      }}
    >
      <div
        ref={dialogRef}
        className={`ads-modal ads-modal--${width}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
        onKeyDown={(event) => trapTab(event, dialogRef.current!)}
      >
        <header className="ads-modal__header">
          <h1 id={titleId} className="ads-modal__title">
            {appearance === 'danger' ? (
              <span className="ads-modal__title-icon">
                <Icon name="error" />
              </span>
            ) : null}
            {title}
          </h1>
        </header>
        <div className="ads-modal__body">{children}</div>
        {footer ? <footer className="ads-modal__footer">{footer}</footer> : null}
      </div>
    </div>
  );
  return createPortal(modal, container);
}

// Renders the dialogs the framed app asked for: an ADS modal holding the dialog's iframe.
import { useEffect, useLayoutEffect, useRef } from 'react';
import type { HostCore, HostDialog } from './host/host-core';

function DialogFrame({ core, dialog }: { core: HostCore; dialog: HostDialog }) {
  const frameRef = useRef<HTMLIFrameElement>(null);

  useEffect(() => {
    const frame = frameRef.current;
    core.attachDialogWindow(dialog.id, frame?.contentWindow ?? null);
    frame?.focus();
    return () => core.attachDialogWindow(dialog.id, null);
  }, [core, dialog.id]);

  return (
    <div
      className="sbx-dialog"
      role="dialog"
      aria-modal="true"
      aria-label={dialog.title}
      style={{ width: `min(${dialog.width}, calc(100vw - 32px))`, height: `min(${dialog.height}, calc(100vh - 64px))` }}
    >
      <iframe ref={frameRef} className="sbx-dialog__iframe" title={dialog.title} src={dialog.url} />
    </div>
  );
}

export function HostDialogs({ core, dialogs }: { core: HostCore; dialogs: readonly HostDialog[] }) {
  const top = dialogs[dialogs.length - 1];
  const open = top !== undefined;

  // Like a modal, give the focus back on close to what had it on open (the app's iframe), unless
  // the app has already taken it back (it refocuses the menu trigger that opened the dialog).
  // Without this it falls to <body>, as the shell is inert while a dialog is open.
  const returnFocusTo = useRef<HTMLElement | null>(null);
  useLayoutEffect(() => {
    if (!open) return;
    returnFocusTo.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    return () => {
      const target = returnFocusTo.current;
      returnFocusTo.current = null;
      // After the commit that removes the shell's `inert`, and only if the app has not taken it back itself.
      window.setTimeout(() => {
        const lost = document.activeElement === null || document.activeElement === document.body;
        if (lost && target?.isConnected) target.focus();
      }, 0);
    };
  }, [open]);

  useEffect(() => {
    if (!top) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && top.closeOnEscape !== false) core.closeDialog(top.id);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [core, top]);

  if (!top) return null;
  return (
    <div
      className="sbx-blanket"
      onMouseDown={(event) => {
        if (event.target === event.currentTarget && top.closeOnOverlayClick !== false) core.closeDialog(top.id);
      }}
    >
      {dialogs.map((dialog) => (
        <DialogFrame key={dialog.id} core={core} dialog={dialog} />
      ))}
    </div>
  );
}

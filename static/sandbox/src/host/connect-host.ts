// Plays the Connect host for the framed app: answers the messages of sandbox/fake-all.js
// (the AP stand-in) with HostCore calls. Only same-origin messages are accepted.
import type { FlagType, HostCore } from './host-core';

export const AP_NAMESPACE = 'ati-sandbox-ap';

export interface ConnectDialogModule {
  url: string;
  title: string;
}

export interface ConnectHostOptions {
  /** The app's dialog modules by key (from the descriptor; here from /sandbox/api/state). */
  dialogs: Record<string, ConnectDialogModule>;
  origin?: string;
}

type ApMessage =
  | { ns: typeof AP_NAMESPACE; type: 'dialog.create'; dialogId: string; options: DialogOptions }
  | { ns: typeof AP_NAMESPACE; type: 'dialog.close'; data?: unknown }
  | { ns: typeof AP_NAMESPACE; type: 'dialog.getCustomData'; requestId: string }
  | { ns: typeof AP_NAMESPACE; type: 'flag.create'; flagId: string; options: FlagOptions }
  | { ns: typeof AP_NAMESPACE; type: 'flag.close'; flagId: string }
  | { ns: typeof AP_NAMESPACE; type: 'theming.initialize' };

interface DialogOptions {
  key?: string;
  width?: string;
  height?: string;
  chrome?: boolean;
  customData?: unknown;
}

interface FlagOptions {
  title?: string;
  body?: string;
  type?: string;
  close?: string;
}

function isApMessage(value: unknown): value is ApMessage {
  return typeof value === 'object' && value !== null && (value as { ns?: unknown }).ns === AP_NAMESPACE;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Connect renders a flag body as HTML; the sandbox shows it as text (tags dropped, entities decoded). */
export function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
      if (name[0] === '#') {
        const code = name[1]?.toLowerCase() === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
      }
      return ENTITIES[name.toLowerCase()] ?? whole;
    });
}

/** Adds the dialog's customData to its URL fragment (read by fake-all.js). */
export function withCustomData(url: string, customData: unknown): string {
  if (customData === undefined) return url;
  const base = url.split('#')[0] ?? url;
  return `${base}#ap-custom-data=${encodeURIComponent(JSON.stringify(customData))}`;
}

function flagType(type: string | undefined): FlagType {
  return type === 'success' || type === 'warning' || type === 'error' ? type : 'info';
}

/** A CSS length from a Connect size option ("560px", "50%", 560). */
function size(value: unknown, fallback: string): string {
  if (typeof value === 'number') return `${value}px`;
  if (typeof value === 'string' && /^\d+(\.\d+)?(px|%|vh|vw)?$/.test(value.trim()))
    return /\d$/.test(value.trim()) ? `${value.trim()}px` : value.trim();
  return fallback;
}

export function installConnectHost(core: HostCore, options: ConnectHostOptions): () => void {
  const origin = options.origin ?? window.location.origin;

  const reply = (target: MessageEventSource, message: Record<string, unknown>) => {
    (target as Window).postMessage({ ns: AP_NAMESPACE, ...message }, origin);
  };

  // The frames that called AP.theming.initializeTheming(): each gets the theme now and on every change.
  const themed = new Set<MessageEventSource>();
  let lastTheme = core.getSnapshot().theme;
  const sendTheme = (target: MessageEventSource) => reply(target, { type: 'theming.theme', ...core.getSnapshot().theme });
  const unsubscribe = core.subscribe(() => {
    const theme = core.getSnapshot().theme;
    if (theme === lastTheme) return;
    lastTheme = theme;
    for (const target of themed) sendTheme(target);
  });

  const onMessage = (event: MessageEvent) => {
    if (event.origin !== origin || !event.source || !isApMessage(event.data)) return;
    const source = event.source;
    const message = event.data;
    switch (message.type) {
      case 'dialog.create': {
        const key = message.options?.key ?? '';
        const module = options.dialogs[key];
        if (!module) {
          core.showFlag({ type: 'error', title: 'Unknown dialog', body: `The app asked for dialog "${key}".`, autoClose: true });
          reply(source, { type: 'dialog.closed', dialogId: message.dialogId });
          return;
        }
        core.openDialog({
          id: message.dialogId,
          title: module.title,
          url: withCustomData(module.url, message.options.customData),
          width: size(message.options.width, '560px'),
          height: size(message.options.height, '480px'),
          customData: message.options.customData,
          onClose: (data) => reply(source, { type: 'dialog.closed', dialogId: message.dialogId, data }),
        });
        return;
      }
      case 'dialog.close': {
        const dialog = core.dialogForWindow(source);
        if (dialog) core.closeDialog(dialog.id, message.data);
        return;
      }
      case 'dialog.getCustomData': {
        const dialog = core.dialogForWindow(source);
        reply(source, { type: 'dialog.customData', requestId: message.requestId, data: dialog?.customData });
        return;
      }
      case 'flag.create': {
        const opts = message.options ?? {};
        core.showFlag({
          id: message.flagId,
          type: flagType(opts.type),
          title: typeof opts.title === 'string' ? opts.title : '',
          body: typeof opts.body === 'string' ? htmlToText(opts.body) : undefined,
          autoClose: opts.close !== 'manual',
        });
        return;
      }
      case 'flag.close':
        core.dismissFlag(message.flagId);
        return;
      case 'theming.initialize':
        themed.add(source);
        sendTheme(source);
        return;
      default:
        return;
    }
  };

  window.addEventListener('message', onMessage);
  return () => {
    window.removeEventListener('message', onMessage);
    unsubscribe();
  };
}

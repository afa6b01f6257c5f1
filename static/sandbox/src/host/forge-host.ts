// Plays the Forge host for the framed Custom UI: answers the messages of
// sandbox/fake-forge-bridge.js (the stand-in behind @forge/bridge) with HostCore calls.
// Only same-origin messages are accepted. invokeRemote does not come here: the stand-in sends
// it to the server (POST /sandbox/api/forge-invoke), which plays Forge's side of it.
import type { FlagType, HostCore } from './host-core';

export const FORGE_NAMESPACE = 'ati-sandbox-forge';

/** The Forge site and module the sandbox plays (from /sandbox/api/state). */
export interface ForgeSite {
  accountId: string;
  cloudId: string;
  siteUrl: string;
  environmentId: string;
  environmentType: string;
  moduleKey: string;
}

export interface ForgeHostOptions {
  site: ForgeSite;
  /** The URL of the app's Custom UI resource, which a Modal without `resource` opens again. */
  resourceUrl: string;
  /** The modal's accessible name when the Modal gives no title (it then has no host header). */
  untitledModalName: string;
  origin?: string;
}

interface ModalOptions {
  resource?: string | null;
  size?: unknown;
  context?: unknown;
  closeOnEscape?: boolean;
  closeOnOverlayClick?: boolean;
  title?: string;
}

interface FlagOptions {
  id?: string;
  title?: string;
  description?: string;
  type?: string;
  appearance?: string;
  isAutoDismiss?: boolean;
}

type BridgeMessage =
  | { ns: typeof FORGE_NAMESPACE; type: 'getContext'; requestId: string }
  | { ns: typeof FORGE_NAMESPACE; type: 'openModal'; requestId: string; modalId: string; options?: ModalOptions }
  | { ns: typeof FORGE_NAMESPACE; type: 'close'; requestId: string; payload?: unknown }
  | { ns: typeof FORGE_NAMESPACE; type: 'showFlag'; requestId: string; options?: FlagOptions }
  | { ns: typeof FORGE_NAMESPACE; type: 'closeFlag'; requestId: string; id?: string }
  | { ns: typeof FORGE_NAMESPACE; type: 'enableTheming'; requestId: string };

function isBridgeMessage(value: unknown): value is BridgeMessage {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { ns?: unknown }).ns === FORGE_NAMESPACE &&
    typeof (value as { requestId?: unknown }).requestId === 'string'
  );
}

/** Forge's documented Modal sizes (width, height). */
const MODAL_SIZES: Record<string, { width: string; height: string }> = {
  small: { width: '400px', height: 'max(20vh, 320px)' },
  medium: { width: '600px', height: 'max(40vh, 520px)' },
  large: { width: '800px', height: 'max(70vh, 720px)' },
  xlarge: { width: '968px', height: '90vh' },
  max: { width: '100%', height: '100%' },
  fullscreen: { width: '100vw', height: '100vh' },
};

export function modalSize(size: unknown): { width: string; height: string } {
  if (typeof size === 'string' && MODAL_SIZES[size]) return MODAL_SIZES[size];
  if (typeof size === 'object' && size !== null && typeof (size as { width?: unknown }).width === 'string') {
    const custom = size as { width: string; height?: unknown };
    return { width: custom.width, height: typeof custom.height === 'string' ? custom.height : MODAL_SIZES.medium!.height };
  }
  return MODAL_SIZES.medium!;
}

/**
 * What view.getContext() resolves with in a jira:adminPage Custom UI frame. In a modal, the
 * Modal's `context` is under `extension.modal`, as Forge documents.
 */
export function forgeContext(site: ForgeSite, modal: { context: unknown } | null): Record<string, unknown> {
  const ids = site.environmentId.replace(/^ari:cloud:ecosystem::environment\//, '');
  return {
    accountId: site.accountId,
    cloudId: site.cloudId,
    siteUrl: site.siteUrl,
    environmentId: site.environmentId,
    environmentType: site.environmentType,
    localId: `ari:cloud:ecosystem::extension/${ids}/static/${site.moduleKey}`,
    locale: 'en-US',
    moduleKey: site.moduleKey,
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    theme: null,
    extension: { type: 'jira:adminPage', ...(modal ? { modal: modal.context ?? {} } : {}) },
  };
}

function flagType(type: string | undefined): FlagType {
  return type === 'success' || type === 'warning' || type === 'error' ? type : 'info';
}

export function installForgeHost(core: HostCore, options: ForgeHostOptions): () => void {
  const origin = options.origin ?? window.location.origin;

  const post = (target: MessageEventSource, message: Record<string, unknown>) => {
    (target as Window).postMessage({ ns: FORGE_NAMESPACE, ...message }, origin);
  };
  const result = (target: MessageEventSource, requestId: string, value: unknown) => post(target, { type: 'result', requestId, value });

  // The frames that called view.theme.enable(): each gets the theme now and on every change.
  const themed = new Set<MessageEventSource>();
  let lastTheme = core.getSnapshot().theme;
  const sendTheme = (target: MessageEventSource) => post(target, { type: 'theme', ...core.getSnapshot().theme });
  const unsubscribe = core.subscribe(() => {
    const theme = core.getSnapshot().theme;
    if (theme === lastTheme) return;
    lastTheme = theme;
    for (const target of themed) sendTheme(target);
  });

  const onMessage = (event: MessageEvent) => {
    if (event.origin !== origin || !event.source || !isBridgeMessage(event.data)) return;
    const source = event.source;
    const message = event.data;
    switch (message.type) {
      case 'getContext': {
        const dialog = core.dialogForWindow(source);
        result(source, message.requestId, forgeContext(options.site, dialog ? { context: dialog.customData } : null));
        return;
      }
      case 'openModal': {
        const modal = message.options ?? {};
        // The app has one resource; a Modal naming another cannot open (Forge: "Unable to open modal.").
        if (modal.resource) {
          core.showFlag({ type: 'error', title: 'Unknown resource', body: `The app asked for resource "${modal.resource}".`, autoClose: true });
          result(source, message.requestId, false);
          return;
        }
        const size = modalSize(modal.size);
        core.openDialog({
          id: message.modalId,
          title: typeof modal.title === 'string' && modal.title.trim() !== '' ? modal.title : options.untitledModalName,
          url: options.resourceUrl,
          width: size.width,
          height: size.height,
          customData: modal.context ?? {},
          closeOnEscape: modal.closeOnEscape !== false,
          closeOnOverlayClick: modal.closeOnOverlayClick !== false,
          onClose: (payload) => post(source, { type: 'modalClosed', modalId: message.modalId, payload }),
        });
        result(source, message.requestId, true);
        return;
      }
      case 'close': {
        // Only a modal is closable; elsewhere Forge answers false ("this resource's view is not closable").
        const dialog = core.dialogForWindow(source);
        result(source, message.requestId, dialog !== undefined);
        if (dialog) core.closeDialog(dialog.id, message.payload);
        return;
      }
      case 'showFlag': {
        const flag = message.options ?? {};
        core.showFlag({
          id: `forge-flag-${flag.id ?? ''}`,
          type: flagType(flag.appearance ?? flag.type),
          title: typeof flag.title === 'string' ? flag.title : '',
          // Forge shows the description as text.
          body: typeof flag.description === 'string' ? flag.description : undefined,
          autoClose: flag.isAutoDismiss === true,
        });
        result(source, message.requestId, true);
        return;
      }
      case 'closeFlag':
        core.dismissFlag(`forge-flag-${message.id ?? ''}`);
        result(source, message.requestId, true);
        return;
      case 'enableTheming':
        themed.add(source);
        sendTheme(source);
        result(source, message.requestId, undefined);
        return;
      default:
        post(source, { type: 'error', requestId: (message as { requestId: string }).requestId, message: 'Not played by the sandbox.' });
        return;
    }
  };

  window.addEventListener('message', onMessage);
  return () => {
    window.removeEventListener('message', onMessage);
    unsubscribe();
  };
}

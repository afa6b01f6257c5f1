// Host-side state of the sandbox, independent of any host protocol: the open dialogs and
// the flags. Protocol adapters (connect-host.ts for the AP stand-in, forge-host.ts for the
// @forge/bridge stand-in) translate their messages into these calls, and the React shell
// renders the snapshot (useSyncExternalStore).

export type FlagType = 'info' | 'success' | 'warning' | 'error';

export interface HostFlag {
  id: string;
  type: FlagType;
  title: string;
  /** Plain text (adapters convert whatever their protocol uses). */
  body?: string;
  autoClose: boolean;
}

export interface HostDialog {
  id: string;
  /** Accessible name of the dialog and title of its iframe. */
  title: string;
  url: string;
  width: string;
  height: string;
  customData: unknown;
  /** Whether Escape and a click on the blanket close it (default true; Forge's Modal can turn them off). */
  closeOnEscape?: boolean;
  closeOnOverlayClick?: boolean;
}

/** The user's theme choice in the sandbox's Jira, as Jira offers it. */
export type ThemeChoice = 'light' | 'dark' | 'auto';

/** What a host tells a themed frame: the mode to render, and whether it follows the browser. */
export interface HostTheme {
  colorMode: 'light' | 'dark';
  auto: boolean;
}

export interface HostSnapshot {
  dialogs: readonly HostDialog[];
  flags: readonly HostFlag[];
  theme: HostTheme;
}

/** The mode a choice renders in: "match browser" follows the browser's preference. */
export function resolveTheme(choice: ThemeChoice, prefersDark: boolean): HostTheme {
  if (choice === 'auto') return { colorMode: prefersDark ? 'dark' : 'light', auto: true };
  return { colorMode: choice, auto: false };
}

export interface OpenDialogSpec extends Omit<HostDialog, 'id'> {
  id?: string;
  /** Called once, with the data the dialog closed with (undefined when the host closed it). */
  onClose: (data: unknown) => void;
}

const FLAG_AUTO_CLOSE_MS = 8_000;

export class HostCore {
  private snapshot: HostSnapshot = { dialogs: [], flags: [], theme: { colorMode: 'light', auto: false } };
  private readonly listeners = new Set<() => void>();
  private readonly closeCallbacks = new Map<string, (data: unknown) => void>();
  private readonly dialogWindows = new Map<string, Window>();
  private readonly flagTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private counter = 0;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): HostSnapshot => this.snapshot;

  private update(next: Partial<HostSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...next };
    for (const listener of this.listeners) listener();
  }

  private nextId(prefix: string): string {
    this.counter += 1;
    return `${prefix}-${this.counter}`;
  }

  openDialog(spec: OpenDialogSpec): string {
    const { onClose, id: wanted, ...dialog } = spec;
    const id = wanted ?? this.nextId('dialog');
    this.closeCallbacks.set(id, onClose);
    this.update({ dialogs: [...this.snapshot.dialogs, { ...dialog, id }] });
    return id;
  }

  /** The dialog whose iframe is `win` (how a "close" message finds its dialog). */
  dialogForWindow(win: MessageEventSource | null): HostDialog | undefined {
    if (!win) return undefined;
    for (const [id, w] of this.dialogWindows) {
      if (w === win) return this.snapshot.dialogs.find((d) => d.id === id);
    }
    return undefined;
  }

  /** Called by the shell when a dialog's iframe mounts (or unmounts, with null). */
  attachDialogWindow(id: string, win: Window | null): void {
    if (win) this.dialogWindows.set(id, win);
    else this.dialogWindows.delete(id);
  }

  closeDialog(id: string, data?: unknown): void {
    if (!this.snapshot.dialogs.some((d) => d.id === id)) return;
    const callback = this.closeCallbacks.get(id);
    this.closeCallbacks.delete(id);
    this.dialogWindows.delete(id);
    this.update({ dialogs: this.snapshot.dialogs.filter((d) => d.id !== id) });
    callback?.(data);
  }

  showFlag(flag: Omit<HostFlag, 'id'> & { id?: string }): string {
    const id = flag.id ?? this.nextId('flag');
    const item: HostFlag = { ...flag, id };
    this.update({ flags: [item, ...this.snapshot.flags.filter((f) => f.id !== id)] });
    if (item.autoClose)
      this.flagTimers.set(
        id,
        setTimeout(() => this.dismissFlag(id), FLAG_AUTO_CLOSE_MS),
      );
    return id;
  }

  /** The theme the sandbox's Jira shows; every frame that opted in to theming follows it. */
  setTheme(theme: HostTheme): void {
    const now = this.snapshot.theme;
    if (now.colorMode === theme.colorMode && now.auto === theme.auto) return;
    this.update({ theme });
  }

  dismissFlag(id: string): void {
    const timer = this.flagTimers.get(id);
    if (timer) clearTimeout(timer);
    this.flagTimers.delete(id);
    if (!this.snapshot.flags.some((f) => f.id === id)) return;
    this.update({ flags: this.snapshot.flags.filter((f) => f.id !== id) });
  }
}

// The only surface through which the UI talks to its host (Connect's AP or Forge's bridge).
import type { TargetType } from '../api/types';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A failure's `code` (when the server gives one) says which refusal it is, for the page to offer what fits. */
export type ApiResult<T> =
  { ok: true; status: number; body: T } | { ok: false; status: number; message: string; fieldErrors?: Record<string, string>; code?: string };

/** What the page hands the "Configure automatic access" dialog (Connect's customData, Forge's modal context). */
export interface DialogData {
  linkedAccountId: string;
  /** The linked account's displayName, for the dialog's sentences. */
  accountName: string;
  targetType: TargetType;
  /** A linked workspace whose default groups the dialog pre-ticks the organization's like-named groups from. */
  suggestFrom?: string;
}

export interface HostFlag {
  type: 'success' | 'error' | 'info';
  title: string;
  description?: string;
}

export interface HostBridge {
  request: <T>(method: HttpMethod, path: string, body?: unknown) => Promise<ApiResult<T>>;
  /** Resolves when the dialog closes. */
  openConfigureDialog: (data: DialogData) => Promise<{ saved: boolean }>;
  /** Non-null when this view IS the dialog. */
  dialogData: () => Promise<DialogData | null>;
  closeDialog: (result: { saved: boolean }) => Promise<void>;
  showFlag: (flag: HostFlag) => void;
  /** Opts in to the host's theming: the host then writes the user's theme on this frame's <html> (see theme/host-theme.ts). */
  enableTheming: () => Promise<void>;
}

/** The Connect dialog module key and the size both hosts open it with. */
export const CONFIGURE_DIALOG_KEY = 'configure-automatic-access';

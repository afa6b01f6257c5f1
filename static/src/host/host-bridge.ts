// The only surface through which the UI talks to its host (Connect's AP or Forge's bridge).

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export type ApiResult<T> =
  { ok: true; status: number; body: T } | { ok: false; status: number; message: string; fieldErrors?: Record<string, string> };

export interface DialogData {
  linkedAccountId: string;
  workspace: string;
}

export interface HostFlag {
  type: 'success' | 'error' | 'info';
  title: string;
  description?: string;
}

export interface HostBridge {
  request: <T>(method: HttpMethod, path: string, body?: unknown) => Promise<ApiResult<T>>;
  /** Resolves when the dialog closes. */
  openConfigureDialog: (account: { id: string; workspace: string }) => Promise<{ saved: boolean }>;
  /** Non-null when this view IS the dialog. */
  dialogData: () => Promise<DialogData | null>;
  closeDialog: (result: { saved: boolean }) => Promise<void>;
  showFlag: (flag: HostFlag) => void;
}

/** The Connect dialog module key and the size both hosts open it with. */
export const CONFIGURE_DIALOG_KEY = 'configure-automatic-access';

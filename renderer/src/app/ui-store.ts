// The window's own state besides the panes and the queue: which pane has the focus, the dialog open now (one
// at a time; each resolves a promise with the answer), and the toasts for events that happened elsewhere.
import { createStore } from 'zustand/vanilla';
import type { Side } from '../panes/pane-store';

export type DialogRequest =
  | {
      kind: 'confirm';
      title: string;
      message: string;
      confirm: string;
      danger?: boolean;
      resolve: (ok: boolean) => void;
    }
  | {
      kind: 'prompt';
      title: string;
      label: string;
      initial: string;
      confirm: string;
      resolve: (value: string | undefined) => void;
    }
  | { kind: 'password'; title: string; message: string; resolve: (value: string | undefined) => void }
  | {
      kind: 'certificate';
      host: string;
      details: Record<string, string | number | boolean>;
      resolve: (choice: 'once' | 'always' | undefined) => void;
    }
  | { kind: 'connections' }
  | { kind: 'settings' }
  | { kind: 'history' };

export interface Toast {
  id: number;
  tone: 'info' | 'success' | 'error';
  message: string;
}

export interface UiState {
  active: Side;
  dialog?: DialogRequest;
  toasts: Toast[];
  setActive(side: Side): void;
  open(dialog: DialogRequest): void;
  close(): void;
  toast(tone: Toast['tone'], message: string): void;
  dismiss(id: number): void;
}

let nextToast = 1;

export const uiStore = createStore<UiState>()((set, get) => ({
  active: 'left',
  toasts: [],
  setActive: (active) => set({ active }),
  open: (dialog) => set({ dialog }),
  close: () => set({ dialog: undefined }),
  toast(tone, message) {
    const id = nextToast++;
    set({ toasts: [...get().toasts.slice(-3), { id, tone, message }] });
    setTimeout(() => get().dismiss(id), tone === 'error' ? 9000 : 5000);
  },
  dismiss: (id) => set({ toasts: get().toasts.filter((toast) => toast.id !== id) }),
}));

export function ask<T>(build: (resolve: (value: T) => void) => DialogRequest): Promise<T> {
  return new Promise<T>((resolve) => {
    uiStore.getState().open(
      build((value) => {
        uiStore.getState().close();
        resolve(value);
      }),
    );
  });
}

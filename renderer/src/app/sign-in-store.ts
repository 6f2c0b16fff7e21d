// Entra ID sign-ins that wait for the person, as the 'signin' events tell of them; SignInDialog.tsx shows the
// first. Kept apart from uiStore's one `dialog`: a sign-in starts while another dialog may be open (the
// connection manager's Test waits for it) and has to show over it, and the questions of uiStore must not
// replace a code the person is typing elsewhere.
import { createStore } from 'zustand/vanilla';
import type { SignInEvent } from '../../../shared/api';
import type { SerializedError } from '../../../shared/errors';
import { uiStore } from './ui-store';

export type SignInPrompt = Extract<SignInEvent, { type: 'prompt' }>;

export interface ShownSignIn {
  prompt: SignInPrompt;
  /** It failed for another reason than a cancel: shown until the person closes it. */
  failure?: SerializedError;
}

export interface SignInState {
  /** Oldest first: one code at a time is enough to read. */
  shown: ShownSignIn[];
  receive(event: SignInEvent): void;
  /** Forgets one: its failure was read, or it was cancelled from this window. */
  dismiss(signInId: string): void;
}

export const signInStore = createStore<SignInState>()((set, get) => ({
  shown: [],
  receive(event) {
    const { shown } = get();
    const index = shown.findIndex((s) => s.prompt.signInId === event.signInId);
    if (event.type === 'prompt') {
      set({ shown: index < 0 ? [...shown, { prompt: event }] : shown.with(index, { prompt: event }) });
      return;
    }
    // An end without a prompt this window showed (a failure before any code was issued, or a window opened
    // later) is reported where it happened: the pane's listing, the manager's Test.
    if (index < 0) return;
    if (event.type === 'completed') {
      get().dismiss(event.signInId);
      uiStore.getState().toast('success', `Signed in to ${event.connectionName}`);
    } else if (event.error.code === 'Cancelled') {
      // Cancelled here or in another window, or nothing waits for it any more: nothing to tell.
      get().dismiss(event.signInId);
    } else {
      set({ shown: shown.with(index, { ...shown[index]!, failure: event.error }) });
    }
  },
  dismiss(signInId) {
    set({ shown: get().shown.filter((s) => s.prompt.signInId !== signInId) });
  },
}));

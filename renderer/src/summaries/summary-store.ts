// The summary panel's state: which file it is about and where its summary is — reading the file, waiting for
// the person's consent, streaming, done, failed or stopped. One summary at a time: asking for another file
// stops the one under way. Each call carries a request id of its own; text ('summary' events) and answers of
// an older request are dropped, so a late piece of a stopped summary never lands in the next one.
import { createStore } from 'zustand/vanilla';
import type { ApiLocation, FileFerryApi } from '../../../shared/api';
import type { SummaryDelta, SummaryPreview, SummaryResult } from '../../../shared/summaries';
import { ApiClientError } from '../api/transport';
import { errorText } from '../common/error-text';

/** The file the panel is about, as the pane named it when Summarize was chosen. */
export interface SummaryFile {
  location: ApiLocation;
  name: string;
  /** The file's address without credentials (the preview's, once it came, names saved connections). */
  address: string;
}

export type SummaryPhase =
  /** The core stats and reads the file (or finds it in the cache): nothing has been sent. */
  | 'preparing'
  /** The connection has no consent yet: the preview waits for Send or Cancel. */
  | 'consent'
  /** Sent: waiting for the first words, then the text grows. */
  | 'streaming'
  | 'done'
  | 'failed'
  /** Stopped by the person (Stop, or the panel closed). */
  | 'stopped';

export interface SummaryState {
  /** Undefined: the panel is closed. */
  file?: SummaryFile;
  phase: SummaryPhase;
  requestId?: string;
  preview?: SummaryPreview;
  /** The text so far (streamed) or the whole answer (done). */
  text: string;
  result?: SummaryResult;
  error?: string;
  /** Whether the person agreed in this panel (a Retry then sends again without asking). */
  consented: boolean;
  summarize(api: FileFerryApi, file: SummaryFile): void;
  /** The consent prompt's Send: asks again with consent, which main remembers for the connection. */
  send(api: FileFerryApi): void;
  /** Stops what is under way; what came so far stays, marked as stopped. */
  stop(api: FileFerryApi): void;
  retry(api: FileFerryApi): void;
  close(api: FileFerryApi): void;
  receive(delta: SummaryDelta): void;
}

const newRequestId = () => `summary-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

const running = (phase: SummaryPhase) => phase === 'preparing' || phase === 'streaming';

export const summaryStore = createStore<SummaryState>()((set, get) => {
  const run = (api: FileFerryApi, file: SummaryFile, consent: boolean) => {
    const requestId = newRequestId();
    set({
      file,
      requestId,
      phase: consent ? 'streaming' : 'preparing',
      text: '',
      result: undefined,
      error: undefined,
      ...(consent ? { consented: true } : {}),
    });
    api.summaries.summarize({ requestId, location: file.location, ...(consent ? { consent: true } : {}) }).then(
      (outcome) => {
        if (get().requestId !== requestId) return;
        if (outcome.state === 'needs-consent') {
          set({ phase: 'consent', preview: outcome.preview, file: { ...file, address: outcome.preview.address } });
          return;
        }
        set({
          phase: 'done',
          result: outcome.result,
          text: outcome.result.text,
          ...(outcome.preview ? { preview: outcome.preview, file: { ...file, address: outcome.preview.address } } : {}),
        });
      },
      (error: unknown) => {
        if (get().requestId !== requestId) return;
        if (error instanceof ApiClientError && error.code === 'Cancelled') set({ phase: 'stopped' });
        else set({ phase: 'failed', error: errorText(error) });
      },
    );
  };

  const cancelRunning = (api: FileFerryApi) => {
    const { requestId, phase } = get();
    if (requestId && running(phase)) void api.summaries.cancel({ requestId }).catch(() => undefined);
  };

  return {
    phase: 'preparing',
    text: '',
    consented: false,
    summarize(api, file) {
      cancelRunning(api);
      set({ preview: undefined, consented: false });
      run(api, file, false);
    },
    send(api) {
      const { file, phase } = get();
      if (file && phase === 'consent') run(api, file, true);
    },
    stop(api) {
      cancelRunning(api);
      // The call rejects with Cancelled a moment later; the panel says so at once.
      if (running(get().phase)) set({ phase: 'stopped' });
    },
    retry(api) {
      const { file, consented } = get();
      if (file) run(api, file, consented);
    },
    close(api) {
      cancelRunning(api);
      set({ file: undefined, requestId: undefined, preview: undefined, result: undefined, text: '', error: undefined });
    },
    receive(delta) {
      const { requestId, phase, text } = get();
      if (delta.requestId !== requestId || !running(phase)) return;
      set({ phase: 'streaming', text: text + delta.text });
    },
  };
});

// The summary panel, at the right of the panes: the file, then where its summary is — reading the file, the
// consent prompt with what would be sent and what it may cost, the text as it streams (with Stop), and once done
// who wrote it, what was sent, whether it came from the cache, and Copy. The model's text is shown as text
// (React escapes it; white-space keeps its lines), never as HTML. Esc or the close button closes it and gives
// the focus back to the pane; closing stops a summary under way.
import { Check, Copy, FileText, LoaderCircle, RotateCcw, Send, Square, X } from 'lucide-react';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useStore } from 'zustand';
import { SUMMARY_SERVICE_NAMES, type SummaryPreview, type SummaryResult } from '../../../shared/summaries';
import { uiStore } from '../app/ui-store';
import { useWorkspace } from '../app/workspace';
import { errorText } from '../common/error-text';
import { formatDate, formatFullDate, formatSize, plural } from '../common/format';
import { copyText } from '../panes/clipboard';
import { formatUsd, modelLabel } from './model-label';
import { summaryStore } from './summary-store';

export function SummaryPanel(): React.JSX.Element | null {
  const workspace = useWorkspace();
  const { api } = workspace;
  const state = useStore(summaryStore);
  const { file, phase, preview, text, result, error } = state;
  const panel = useRef<HTMLElement>(null);
  const consent = useRef<HTMLElement>(null);
  const address = file?.address;

  // A new file takes the focus to the panel (Esc closes it from there); the consent prompt takes it when it
  // comes, so a screen reader reads what would be sent before anything is.
  useEffect(() => {
    if (address !== undefined) panel.current?.focus({ preventScroll: true });
  }, [address, file?.location]);
  useEffect(() => {
    if (phase === 'consent') consent.current?.focus({ preventScroll: true });
  }, [phase]);

  if (!file) return null;
  const close = () => {
    summaryStore.getState().close(api);
    workspace.focusPane(uiStore.getState().active);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Escape' || event.defaultPrevented) return;
    event.preventDefault();
    close();
  };
  const stop = () => summaryStore.getState().stop(api);
  const retry = () => summaryStore.getState().retry(api);
  const streaming = phase === 'streaming';
  const showText = text !== '' || phase === 'done';

  return (
    <aside className="summary-panel" aria-label="Summary" tabIndex={-1} ref={panel} onKeyDown={onKeyDown}>
      <header className="summary-header">
        <FileText size={16} aria-hidden className="summary-file-icon" />
        <div className="summary-file">
          <h2 className="summary-name" title={file.name}>
            {file.name}
          </h2>
          <p className="summary-address" title={file.address}>
            <bdi>{file.address}</bdi>
          </p>
        </div>
        <button type="button" className="icon-button" aria-label="Close summary" title="Close (Esc)" onClick={close}>
          <X size={16} />
        </button>
      </header>
      <div className="summary-body">
        {phase === 'preparing' && (
          <div className="summary-state" role="status">
            <LoaderCircle size={14} aria-hidden className="spinning" />
            <span>Reading the file… Nothing is sent until you agree.</span>
            <button type="button" onClick={stop}>
              <Square size={12} aria-hidden /> Stop
            </button>
          </div>
        )}
        {phase === 'consent' && preview && (
          <ConsentPrompt
            preview={preview}
            ref={consent}
            onSend={() => summaryStore.getState().send(api)}
            onCancel={close}
          />
        )}
        {streaming && text === '' && (
          <div className="summary-state" role="status">
            <LoaderCircle size={14} aria-hidden className="spinning" />
            <span>
              {preview
                ? `Waiting for ${modelLabel(preview.service, preview.model)}…`
                : 'Reading the file and waiting for the answer…'}
            </span>
          </div>
        )}
        {showText && (
          <div
            className="summary-text"
            role="document"
            aria-label="Summary text"
            aria-live="polite"
            aria-busy={streaming}
            tabIndex={0}
          >
            {text}
          </div>
        )}
        {streaming && (
          <div className="summary-actions">
            <span className="muted">{text === '' ? 'Nothing has come back yet.' : 'Writing…'}</span>
            <button type="button" onClick={stop}>
              <Square size={12} aria-hidden /> Stop
            </button>
          </div>
        )}
        {phase === 'done' && result && <ResultFacts result={result} />}
        {phase === 'stopped' && (
          <div className="summary-state stopped" role="status">
            <span>
              <strong>Stopped.</strong> Nothing more is asked; Retry asks for the whole summary again.
            </span>
            <button type="button" onClick={retry}>
              <RotateCcw size={13} aria-hidden /> Retry
            </button>
          </div>
        )}
        {phase === 'failed' && (
          <div className="summary-error" role="alert">
            <p>{error}</p>
            <button type="button" onClick={retry}>
              <RotateCcw size={13} aria-hidden /> Retry
            </button>
          </div>
        )}
      </div>
    </aside>
  );
}

function ConsentPrompt({
  preview,
  ref,
  onSend,
  onCancel,
}: {
  preview: SummaryPreview;
  ref: React.Ref<HTMLElement>;
  onSend: () => void;
  onCancel: () => void;
}): React.JSX.Element {
  const service = SUMMARY_SERVICE_NAMES[preview.service];
  return (
    <section className="summary-consent" aria-labelledby="summary-consent-title" tabIndex={-1} ref={ref}>
      <h3 id="summary-consent-title">Send this file to {service}?</h3>
      <p className="summary-consent-text">
        {preview.truncated ? 'The start of this file' : 'This file'} goes to {service} to be summarised. Your answer is
        remembered for every file on this connection (Settings › Summaries forgets it).
      </p>
      <dl className="summary-facts">
        <div>
          <dt>File</dt>
          <dd>
            {preview.description}
            {preview.size !== undefined ? `, ${formatSize(preview.size)}` : ''}
          </dd>
        </div>
        <div>
          <dt>Read</dt>
          <dd>
            {formatSize(preview.bytesRead)}
            {preview.truncated ? ' (the start only)' : ''}
          </dd>
        </div>
        <div>
          <dt>To send</dt>
          <dd>
            {formatSize(preview.bytesToSend)} with the instructions, about{' '}
            {plural(preview.estimatedInputTokens, 'input token')}
          </dd>
        </div>
        <div>
          <dt>Cost</dt>
          <dd>
            {preview.estimatedCostUsd === undefined
              ? 'cost unknown (no price for this model in the settings)'
              : `about ${formatUsd(preview.estimatedCostUsd)} at most`}
          </dd>
        </div>
        <div>
          <dt>Model</dt>
          <dd title={preview.model}>{modelLabel(preview.service, preview.model)}</dd>
        </div>
        {preview.fallback && (
          <div>
            <dt>Else</dt>
            <dd title={preview.fallback.model}>
              {modelLabel(preview.fallback.service, preview.fallback.model)}, if {service} cannot answer
            </dd>
          </div>
        )}
      </dl>
      <div className="summary-actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="primary" onClick={onSend}>
          <Send size={13} aria-hidden /> Send
        </button>
      </div>
    </section>
  );
}

function ResultFacts({ result }: { result: SummaryResult }): React.JSX.Element {
  // What Copy did: a confirmation that fades, or why the clipboard refused (that one stays).
  const [copied, setCopied] = useState<{ ok: boolean; text: string }>();
  useEffect(() => {
    if (!copied?.ok) return;
    const timer = setTimeout(() => setCopied(undefined), 2500);
    return () => clearTimeout(timer);
  }, [copied]);
  const copy = () =>
    copyText(result.text).then(
      () => setCopied({ ok: true, text: 'Copied to the clipboard.' }),
      (error: unknown) => setCopied({ ok: false, text: errorText(error) }),
    );
  const tokens =
    result.inputTokens !== undefined && result.outputTokens !== undefined
      ? ` (${plural(result.inputTokens, 'token')} in, ${result.outputTokens.toLocaleString()} out)`
      : '';
  return (
    <>
      <dl className="summary-facts">
        <div>
          <dt>Written by</dt>
          <dd title={result.model}>
            {result.service && result.model
              ? modelLabel(result.service, result.model)
              : 'FileFerry, from the file itself'}
          </dd>
        </div>
        <div>
          <dt>Sent</dt>
          <dd>
            {result.cached || result.metadataOnly ? 'nothing this time' : `${formatSize(result.bytesSent)}${tokens}`}
          </dd>
        </div>
      </dl>
      {result.cached && (
        <p className="summary-note">
          <span className="summary-badge">Cached</span>
          <span title={formatFullDate(result.createdAt)}>
            Written {formatDate(result.createdAt)}; the file has not changed since, so nothing was asked.
          </span>
        </p>
      )}
      {result.metadataOnly && (
        <p className="summary-note">
          Nothing was sent: FileFerry does not send files of this type to a model. This is what the file itself tells.
        </p>
      )}
      {result.fallback && <p className="summary-note warning">{result.fallback}</p>}
      <div className="summary-actions">
        <span className={copied?.ok === false ? 'summary-copy-failed' : 'muted'} role="status">
          {copied?.text}
        </span>
        <button type="button" onClick={() => void copy()}>
          {copied?.ok ? <Check size={13} aria-hidden /> : <Copy size={13} aria-hidden />} Copy
        </button>
      </div>
    </>
  );
}

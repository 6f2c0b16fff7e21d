// Export in the connection manager: every connection as a FileFerry export (JSON, no secrets), offered as a
// download (a Blob URL on an <a download>: a download is neither a fetch nor a navigation, so the page's
// Content-Security-Policy has nothing to say about it) or copied to the clipboard.
import { Check, ClipboardCopy, Download, Loader2 } from 'lucide-react';
import { useEffect, useState } from 'react';
import { useWorkspace } from '../app/workspace';
import { plural } from '../common/format';
import { copyText } from '../panes/clipboard';
import { errorText } from '../common/error-text';

export function ExportPanel(): React.JSX.Element {
  const { api } = useWorkspace();
  const [json, setJson] = useState<string>();
  const [url, setUrl] = useState<string>();
  const [failure, setFailure] = useState<string>();
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    let objectUrl: string | undefined;
    let live = true;
    api.connections.export().then(
      ({ json: text }) => {
        if (!live) return;
        objectUrl = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
        setJson(text);
        setUrl(objectUrl);
      },
      (error: unknown) => live && setFailure(errorText(error)),
    );
    return () => {
      live = false;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [api]);

  const count = json ? countOf(json) : 0;
  return (
    <section className="cm-panel" aria-label="Export connections">
      <h3>Export connections</h3>
      <p className="muted">
        A file another FileFerry imports (Import…, or <code>fileferry connections import FILE</code>). Passwords, keys
        and tokens stay out of it: they are entered again after importing.
      </p>
      {failure && (
        <p className="cm-failure" role="alert">
          {failure}
        </p>
      )}
      {!json && !failure && (
        <p className="muted">
          <Loader2 size={13} className="spinning" aria-hidden /> Preparing…
        </p>
      )}
      {json && (
        <>
          <textarea className="cm-export-text" aria-label="Export" readOnly value={json} rows={12} />
          <div className="cm-editor-buttons">
            <span className="muted">{plural(count, 'connection')}, without secrets</span>
            <span className="spacer" />
            <button
              type="button"
              onClick={() =>
                void copyText(json).then(
                  () => setCopied(true),
                  (error: unknown) => setFailure(errorText(error)),
                )
              }
            >
              {copied ? <Check size={13} aria-hidden /> : <ClipboardCopy size={13} aria-hidden />}{' '}
              {copied ? 'Copied' : 'Copy to clipboard'}
            </button>
            <a className="button primary" href={url} download="fileferry-connections.json">
              <Download size={13} aria-hidden /> Download
            </a>
          </div>
        </>
      )}
    </section>
  );
}

function countOf(json: string): number {
  try {
    return (JSON.parse(json) as { connections?: unknown[] }).connections?.length ?? 0;
  } catch {
    return 0;
  }
}

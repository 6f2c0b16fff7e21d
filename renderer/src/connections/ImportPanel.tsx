// Import in the connection manager, as the command line does it: the files found on this computer (FileZilla's
// site manager, rclone.conf, the AWS config) or a path typed in; a preview of every site with its status
// (ready, needs a secret, unsupported) and warnings; the chosen ones saved (connections.importApply, which saves
// from the main process's own preview: secret values never come to the window).
import { FileInput, Loader2, TriangleAlert } from 'lucide-react';
import { useEffect, useState } from 'react';
import type { ImportApplied, ImportItem, ImportPreview, ImportSource, ImportStatus } from '../../../shared/api';
import { addressOf } from '../../../shared/locations';
import { useWorkspace } from '../app/workspace';
import { plural } from '../common/format';
import { KindBadge } from '../panes/ConnectionPicker';
import { connectionsStore } from './connections-store';
import { SECRET_LABELS } from './connection-form';
import { errorText } from '../common/error-text';

const STATUS_LABELS: Record<ImportStatus, string> = {
  ready: 'Ready',
  'needs-secret': 'Needs a secret',
  unsupported: 'Unsupported',
};

const FORMAT_LABELS: Record<ImportPreview['format'], string> = {
  filezilla: "FileZilla's site manager",
  rclone: 'an rclone configuration',
  aws: 'an AWS configuration',
  fileferry: 'a FileFerry export',
};

export function ImportPanel(): React.JSX.Element {
  const { api } = useWorkspace();
  const [sources, setSources] = useState<ImportSource[]>();
  const [path, setPath] = useState('');
  const [preview, setPreview] = useState<ImportPreview>();
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState<'preview' | 'apply'>();
  const [failure, setFailure] = useState<string>();
  const [applied, setApplied] = useState<ImportApplied>();

  useEffect(() => {
    api.connections.importSources().then(setSources, () => setSources([]));
  }, [api]);

  const load = async (file: string) => {
    setPath(file);
    setBusy('preview');
    setFailure(undefined);
    setApplied(undefined);
    try {
      const next = await api.connections.importPreview({ path: file });
      setPreview(next);
      setChosen(new Set(next.items.filter((item) => item.status !== 'unsupported').map((item) => item.key)));
    } catch (error) {
      setPreview(undefined);
      setFailure(errorText(error));
    } finally {
      setBusy(undefined);
    }
  };

  const apply = async () => {
    if (!preview) return;
    setBusy('apply');
    setFailure(undefined);
    try {
      const result = await api.connections.importApply({ path: preview.file, keys: [...chosen] });
      await connectionsStore.getState().reload(api);
      setApplied(result);
      setPreview(undefined);
    } catch (error) {
      setFailure(errorText(error));
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <section className="cm-panel" aria-label="Import connections">
      <h3>Import connections</h3>
      <p className="muted">
        From FileZilla, rclone, the AWS command line or a FileFerry export. Passwords come along where the file has
        them.
      </p>
      {sources === undefined ? (
        <p className="muted">
          <Loader2 size={13} className="spinning" aria-hidden /> Looking for files on this computer…
        </p>
      ) : sources.length > 0 ? (
        <div className="cm-sources" role="group" aria-label="Found on this computer">
          <span className="cm-label">Found on this computer</span>
          {sources.map((source) => (
            <button key={source.path} type="button" className="cm-source" onClick={() => void load(source.path)}>
              <FileInput size={14} aria-hidden />
              <span className="cm-source-text">
                <span>{source.description}</span>
                <span className="cm-option-address">{source.path}</span>
              </span>
            </button>
          ))}
        </div>
      ) : (
        <p className="muted">No FileZilla, rclone or AWS configuration was found in the usual places.</p>
      )}
      <form
        className="cm-path-row"
        onSubmit={(event) => {
          event.preventDefault();
          if (path.trim()) void load(path.trim());
        }}
      >
        <div className="field">
          <label htmlFor="cm-import-path">File to import</label>
          <input
            id="cm-import-path"
            value={path}
            spellCheck={false}
            placeholder="/home/me/.config/filezilla/sitemanager.xml"
            onChange={(event) => setPath(event.target.value)}
          />
        </div>
        <button type="submit" disabled={!path.trim() || busy !== undefined}>
          {busy === 'preview' && <Loader2 size={13} className="spinning" aria-hidden />} Preview
        </button>
      </form>

      {failure && (
        <p className="cm-failure" role="alert">
          {failure}
        </p>
      )}
      {applied && <AppliedSummary applied={applied} />}
      {preview && (
        <PreviewTable
          preview={preview}
          chosen={chosen}
          onChoose={(key, on) => {
            const next = new Set(chosen);
            if (on) next.add(key);
            else next.delete(key);
            setChosen(next);
          }}
        />
      )}
      {preview && (
        <div className="cm-editor-buttons">
          <span className="spacer" />
          <button
            type="button"
            className="primary"
            disabled={chosen.size === 0 || busy !== undefined}
            onClick={() => void apply()}
          >
            {busy === 'apply' && <Loader2 size={13} className="spinning" aria-hidden />}
            Import {plural(chosen.size, 'connection')}
          </button>
        </div>
      )}
    </section>
  );
}

function PreviewTable({
  preview,
  chosen,
  onChoose,
}: {
  preview: ImportPreview;
  chosen: ReadonlySet<string>;
  onChoose: (key: string, on: boolean) => void;
}): React.JSX.Element {
  return (
    <div className="cm-preview">
      <p className="muted">
        {preview.file} is {FORMAT_LABELS[preview.format]} with {plural(preview.items.length, 'site')}.
      </p>
      {preview.warnings.map((warning) => (
        <p key={warning} className="cm-note warning">
          <TriangleAlert size={13} aria-hidden /> {warning}
        </p>
      ))}
      <table className="cm-import-table">
        <thead>
          <tr>
            <th scope="col">
              <span className="sr-only">Import</span>
            </th>
            <th scope="col">Name</th>
            <th scope="col">Address</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {preview.items.map((item) => (
            <ImportRow
              key={item.key}
              item={item}
              checked={chosen.has(item.key)}
              onChoose={(on) => onChoose(item.key, on)}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ImportRow({
  item,
  checked,
  onChoose,
}: {
  item: ImportItem;
  checked: boolean;
  onChoose: (on: boolean) => void;
}): React.JSX.Element {
  const name = item.connection?.name ?? item.source;
  const unsupported = item.status === 'unsupported';
  const missing = item.missingSecrets.map((field) => SECRET_LABELS[field].toLowerCase()).join(', ');
  return (
    <tr className={unsupported ? 'unsupported' : undefined}>
      <td>
        <input
          type="checkbox"
          aria-label={`Import ${name}`}
          checked={checked}
          disabled={unsupported}
          onChange={(event) => onChoose(event.target.checked)}
        />
      </td>
      <td>
        <span className="cm-import-name">
          {item.connection && <KindBadge kind={item.connection.spec.kind} />} {name}
        </span>
        {item.connection?.group && <span className="cm-option-address">{item.connection.group}</span>}
      </td>
      <td className="cm-option-address">
        {item.connection ? addressOf(item.connection.spec, item.connection.defaultRemoteFolder ?? '/') : item.source}
      </td>
      <td>
        <span className={`cm-status ${item.status}`}>{STATUS_LABELS[item.status]}</span>
        {item.status === 'needs-secret' && missing && (
          <span className="cm-import-warning">Add the {missing} after importing.</span>
        )}
        {item.warnings.map((warning) => (
          <span key={warning} className="cm-import-warning">
            {warning}
          </span>
        ))}
      </td>
    </tr>
  );
}

function AppliedSummary({ applied }: { applied: ImportApplied }): React.JSX.Element {
  return (
    <div className="cm-applied" role="status">
      <p>
        <strong>Imported {plural(applied.saved.length, 'connection')}</strong>
        {applied.saved.length > 0 && `: ${applied.saved.map((c) => c.name).join(', ')}`}.
      </p>
      {applied.skipped.map((skip) => (
        <p key={skip.key} className="cm-note warning">
          Skipped {skip.key}: {skip.reason}
        </p>
      ))}
      {applied.notices.map((notice) => (
        <p key={notice} className="cm-note">
          {notice}
        </p>
      ))}
    </div>
  );
}

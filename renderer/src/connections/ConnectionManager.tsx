// The connection manager: a wide dialog with the saved connections on the left (grouped, with kind badges and
// addresses) and, on the right, the editor of the one selected, a new one, Import or Export. Every change goes
// through the API and is followed by connectionsStore.reload, so the panes' connection menus follow at once.
// Delete asks in a dialog of its own, over this one, naming the connection; the safe button has the focus.
import * as Dialog from '@radix-ui/react-dialog';
import { Download, Plus, Upload } from 'lucide-react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { ConnectionSummary } from '../../../shared/api';
import { uiStore } from '../app/ui-store';
import { useWorkspace } from '../app/workspace';
import { ConnectionEditor } from './ConnectionEditor';
import { ConnectionList } from './ConnectionList';
import { connectionsStore } from './connections-store';
import { ExportPanel } from './ExportPanel';
import { ImportPanel } from './ImportPanel';
import { DialogCloseButton } from '../common/DialogCloseButton';
import { errorText } from '../common/error-text';

type View = { kind: 'edit'; id: string } | { kind: 'new' } | { kind: 'import' } | { kind: 'export' } | { kind: 'none' };

let editorCount = 0;

export function ConnectionManager({ onClose }: { onClose: () => void }): React.JSX.Element {
  const workspace = useWorkspace();
  const { api } = workspace;
  const connections = useStore(connectionsStore, (state) => state.connections);
  const [view, setViewState] = useState<View>(() =>
    connections[0] ? { kind: 'edit', id: connections[0].id } : { kind: 'none' },
  );
  // The editor's identity: a new connection's editor stays mounted (with its test result) once it is saved.
  const [editorKey, setEditorKey] = useState(() => `editor-${editorCount++}`);
  const [notices, setNotices] = useState<string[]>([]);
  const [failure, setFailure] = useState<string>();
  const [deleting, setDeleting] = useState<ConnectionSummary>();
  const [persistent, setPersistent] = useState(true);

  useEffect(() => {
    void connectionsStore
      .getState()
      .reload(api)
      .catch((error: unknown) => setFailure(errorText(error)));
    api.app.info().then(
      (info) => setPersistent(info.capabilities.secrets.persistent),
      () => undefined,
    );
  }, [api]);

  // Unsaved edits are not thrown away silently: switching or closing asks first.
  const unsaved = useRef(false);
  const onChanged = useCallback((changed: boolean) => void (unsaved.current = changed), []);
  const [discard, setDiscard] = useState<() => void>();
  const guarded = (action: () => void) => {
    if (!unsaved.current) return action();
    setDiscard(() => () => {
      unsaved.current = false;
      setDiscard(undefined);
      action();
    });
  };

  const setView = (next: View) => {
    unsaved.current = false;
    setViewState(next);
    setEditorKey(`editor-${editorCount++}`);
    setNotices([]);
    setFailure(undefined);
  };

  const selected = view.kind === 'edit' ? connections.find((c) => c.id === view.id) : undefined;
  const groups = useMemo(
    () => [...new Set(connections.map((c) => c.group).filter((g): g is string => !!g))].sort(),
    [connections],
  );

  const duplicate = async (connection: ConnectionSummary) => {
    try {
      const result = await api.connections.duplicate({ id: connection.id });
      await connectionsStore.getState().reload(api);
      setView({ kind: 'edit', id: result.connection.id });
      setNotices([`Duplicated as “${result.connection.name}”.`, ...result.notices]);
    } catch (error) {
      setFailure(errorText(error));
    }
  };

  const remove = async (connection: ConnectionSummary) => {
    setDeleting(undefined);
    try {
      await api.connections.remove({ id: connection.id });
      await connectionsStore.getState().reload(api);
      const rest = connectionsStore.getState().connections;
      setView(rest[0] ? { kind: 'edit', id: rest[0].id } : { kind: 'none' });
      setNotices([`Deleted “${connection.name}”.`]);
    } catch (error) {
      setFailure(errorText(error));
    }
  };

  return (
    <Dialog.Root open onOpenChange={(open) => !open && guarded(onClose)}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog connection-manager">
          <header className="cm-header">
            <div>
              <Dialog.Title className="dialog-title">Connections</Dialog.Title>
              <Dialog.Description className="cm-subtitle">
                {persistent
                  ? 'Saved sites. Their passwords and keys stay in the keychain.'
                  : 'Saved sites. No keychain is available here: passwords and keys are kept for this session only.'}
              </Dialog.Description>
            </div>
            <div className="cm-header-buttons">
              <button type="button" className="primary" onClick={() => guarded(() => setView({ kind: 'new' }))}>
                <Plus size={14} aria-hidden /> New connection
              </button>
              <button
                type="button"
                onClick={() => guarded(() => setView({ kind: 'import' }))}
                aria-pressed={view.kind === 'import'}
              >
                <Download size={14} aria-hidden /> Import…
              </button>
              <button
                type="button"
                onClick={() => guarded(() => setView({ kind: 'export' }))}
                aria-pressed={view.kind === 'export'}
                disabled={connections.length === 0}
              >
                <Upload size={14} aria-hidden /> Export…
              </button>
              <DialogCloseButton />
            </div>
          </header>
          <div className="cm-body">
            <ConnectionList
              connections={connections}
              selectedId={selected?.id}
              onSelect={(id) => id !== selected?.id && guarded(() => setView({ kind: 'edit', id }))}
            />
            <div className="cm-detail">
              {(notices.length > 0 || failure) && (
                <div className="cm-notices" role={failure ? 'alert' : 'status'}>
                  {notices.map((notice) => (
                    <p key={notice}>{notice}</p>
                  ))}
                  {failure && <p className="cm-failure">{failure}</p>}
                </div>
              )}
              {(view.kind === 'new' || selected) && (
                <ConnectionEditor
                  key={editorKey}
                  summary={selected}
                  groups={groups}
                  persistent={persistent}
                  onSaved={(connection, saveNotices) => {
                    // Stay in the same editor: a new connection becomes the saved one it now is.
                    setViewState({ kind: 'edit', id: connection.id });
                    setNotices([`Saved “${connection.name}”.`, ...saveNotices]);
                    setFailure(undefined);
                  }}
                  onDuplicate={(connection) => void duplicate(connection)}
                  onDelete={setDeleting}
                  onChanged={onChanged}
                  onOpen={(connection) => {
                    void workspace.openSaved(uiStore.getState().active, connection.id);
                    onClose();
                  }}
                />
              )}
              {view.kind === 'import' && <ImportPanel />}
              {view.kind === 'export' && <ExportPanel />}
              {(view.kind === 'none' || (view.kind === 'edit' && !selected)) && (
                <div className="cm-empty">
                  <p className="state-title">
                    {connections.length === 0 ? 'No saved connections yet' : 'No connection chosen'}
                  </p>
                  <p className="muted">
                    {connections.length === 0
                      ? 'Make one with New connection, or bring your sites over from FileZilla, rclone or the AWS command line with Import….'
                      : 'Choose one on the left to see and change its settings.'}
                  </p>
                </div>
              )}
            </div>
          </div>
          {deleting && (
            <NestedConfirm
              title={`Delete “${deleting.name}”?`}
              message={`The connection to ${deleting.address} is removed${deleting.storedSecrets.length > 0 ? ', with its saved password or keys' : ''}. Files on the site are not touched. This cannot be undone.`}
              confirm="Delete"
              onCancel={() => setDeleting(undefined)}
              onConfirm={() => void remove(deleting)}
            />
          )}
          {discard && (
            <NestedConfirm
              title="Discard your changes?"
              message={`The changes to ${selected ? `“${selected.name}”` : 'the new connection'} have not been saved.`}
              cancel="Keep editing"
              confirm="Discard"
              onCancel={() => setDiscard(undefined)}
              onConfirm={discard}
            />
          )}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

/** A question over the manager, in a dialog of its own; the safe answer has the focus. */
function NestedConfirm({
  title,
  message,
  cancel = 'Cancel',
  confirm,
  onCancel,
  onConfirm,
}: {
  title: string;
  message: string;
  cancel?: string;
  confirm: string;
  onCancel: () => void;
  onConfirm: () => void;
}): React.JSX.Element {
  return (
    <Dialog.Root open onOpenChange={(open) => !open && onCancel()}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay nested" />
        <Dialog.Content className="dialog nested">
          <Dialog.Title className="dialog-title">{title}</Dialog.Title>
          <Dialog.Description className="dialog-text">{message}</Dialog.Description>
          <div className="dialog-buttons">
            <button type="button" autoFocus onClick={onCancel}>
              {cancel}
            </button>
            <button type="button" className="danger" onClick={onConfirm}>
              {confirm}
            </button>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

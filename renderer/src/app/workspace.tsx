// The two panes and what happens between them: open, copy or move to the other pane (F5/F6, drag and drop),
// files dropped from the desktop, new folder, rename, delete with a confirmation. Everything goes through the
// API client; errors land where they happened (the pane, the job) and toasts only for what happened elsewhere.
import { createContext, useContext } from 'react';
import type { FileFerryApi, Settings } from '../../../shared/api';
import type { SerializedError } from '../../../shared/errors';
import { connectionsStore } from '../connections/connections-store';
import { addressOf } from '../../../shared/locations';
import { joinPath } from '../../../shared/paths';
import type { Entry } from '../../../shared/provider';
import type { TransferRequest } from '../../../shared/transfers';
import { desktopBridge } from '../api/ipc-transport';
import { plural } from '../common/format';
import type { PaneLocation, PaneStore, Side } from '../panes/pane-store';
import { queueStore } from '../queue/queue-store';
import { ask, uiStore } from './ui-store';
import { uploadDroppedFiles } from './uploads';

export const DRAG_TYPE = 'application/x-fileferry-entries';

export interface DragPayload {
  from: Side;
  names: string[];
}

export interface Workspace {
  api: FileFerryApi;
  panes: Record<Side, PaneStore>;
  rowHeight: number;
  settings: Settings;
  activate(side: Side): void;
  focusPane(side: Side): void;
  openEntry(side: Side, entry: Entry): void;
  copyToOther(side: Side, names: string[], move: boolean): Promise<void>;
  drop(side: Side, folder: string | undefined, data: DataTransfer, move: boolean): void;
  dragStarted(side: Side, names: string[]): void;
  newFolder(side: Side): Promise<void>;
  remove(side: Side, names: string[]): Promise<void>;
  rename(side: Side, from: string, to: string): Promise<void>;
  openLocal(side: Side, path?: string): Promise<void>;
  openSaved(side: Side, id: string): Promise<void>;
  /** Opens what an address names (asking for a password where one is needed); rejects with why it cannot. */
  openAddress(side: Side, address: string): Promise<void>;
  manageConnections(): void;
  /** The listing was refused for its login: ask the password again and reopen. */
  reauthenticate(side: Side): Promise<void>;
  /** The listing was refused for the certificate: show it and ask whether to trust it. */
  reviewCertificate(side: Side, error: SerializedError): Promise<void>;
}

const WorkspaceContext = createContext<Workspace | undefined>(undefined);
export const WorkspaceProvider = WorkspaceContext.Provider;

export function useWorkspace(): Workspace {
  const workspace = useContext(WorkspaceContext);
  if (!workspace) throw new Error('useWorkspace outside the workspace');
  return workspace;
}

const other = (side: Side): Side => (side === 'left' ? 'right' : 'left');
const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Jobs that move: their sources are removed once every file arrived. */
const moves = new Map<string, { side: Side; request: TransferRequest }>();

export function createWorkspace(
  api: FileFerryApi,
  panes: Record<Side, PaneStore>,
  settings: () => Settings,
): Omit<Workspace, 'rowHeight' | 'settings'> {
  const toast = (tone: 'info' | 'success' | 'error', message: string) => uiStore.getState().toast(tone, message);

  const transfer = async (side: Side, names: string[], target: PaneLocation, folder: string, move: boolean) => {
    const from = panes[side].getState().location;
    if (!from || names.length === 0) return;
    const queued: string[] = [];
    for (const name of names) {
      const request: TransferRequest = {
        source: { connection: from.connection, path: joinPath(from.path, name) },
        target: { connection: target.connection, path: folder },
        intoFolder: true,
        recursive: true,
        overwrite: settings().defaultOverwrite,
      };
      try {
        const job = await api.transfers.add(request);
        queueStore.getState().receive({ type: 'job', job });
        queued.push(job.id);
        if (move) moves.set(job.id, { side, request });
      } catch (error) {
        toast('error', `${name} could not be queued: ${errorText(error)}`);
      }
    }
    queueStore.getState().group(queued);
  };

  const openResolved = async (side: Side, address: string, password?: string): Promise<boolean> => {
    const resolved = await api.connections.resolveAddress(password === undefined ? { address } : { address, password });
    if ('needsPassword' in resolved) {
      const typed = await ask<string | undefined>((resolve) => ({
        kind: 'password',
        title: 'Password',
        message: `Password for ${resolved.needsPassword.user} on ${resolved.needsPassword.host}. It is kept for this session only.`,
        resolve,
      }));
      if (typed === undefined) return false;
      return openResolved(side, address, typed);
    }
    panes[side].getState().open({ ...resolved.location, title: resolved.title, spec: resolved.spec });
    return true;
  };

  const workspace: Omit<Workspace, 'rowHeight' | 'settings'> = {
    api,
    panes,
    async openLocal(side, path) {
      const info = await api.app.info();
      panes[side].getState().open({
        connection: { spec: { kind: 'local' } },
        path: path ?? info.paths.home,
        title: 'Local disk',
        spec: { kind: 'local' },
      });
    },
    async openSaved(side, id) {
      try {
        const connection = await api.connections.get({ id });
        panes[side].getState().open({
          connection: { savedId: connection.id },
          path: connection.defaultRemoteFolder ?? '/',
          title: connection.name,
          spec: connection.spec,
        });
      } catch (error) {
        toast('error', errorText(error));
      }
    },
    async openAddress(side, address) {
      await openResolved(side, address);
      workspace.focusPane(side);
    },
    manageConnections() {
      uiStore.getState().open({ kind: 'connections' });
    },
    async reauthenticate(side) {
      const location = panes[side].getState().location;
      if (!location) return;
      if ('savedId' in location.connection) {
        uiStore.getState().open({ kind: 'connections' });
        toast('info', `Enter the password of ${location.title} in its settings, then open it again.`);
        return;
      }
      await openResolved(side, addressOf(location.spec, location.path), undefined).catch((error: unknown) =>
        toast('error', errorText(error)),
      );
    },
    async reviewCertificate(side, error) {
      const location = panes[side].getState().location;
      if (!location) return;
      if (!('savedId' in location.connection)) {
        toast('info', 'Save this site as a connection (Connections…) to trust its certificate.');
        return;
      }
      const id = location.connection.savedId;
      const details = error.details ?? {};
      const choice = await ask<'once' | 'always' | undefined>((resolve) => ({
        kind: 'certificate',
        details,
        host: String(details.host ?? location.title),
        resolve,
      }));
      if (!choice) return;
      try {
        await api.connections.trust({ id, fingerprint: String(details.fingerprint), always: choice === 'always' });
        await connectionsStore.getState().reload(api);
        panes[side].getState().refresh();
      } catch (failure) {
        toast('error', errorText(failure));
      }
    },
    activate: (side) => uiStore.getState().setActive(side),
    focusPane(side) {
      uiStore.getState().setActive(side);
      document.querySelector<HTMLElement>(`[data-pane="${side}"] [role="grid"]`)?.focus();
    },
    openEntry(side, entry) {
      const pane = panes[side].getState();
      if (entry.type === 'folder' && pane.location) pane.openPath(joinPath(pane.location.path, entry.name));
    },
    async copyToOther(side, names, move) {
      const from = panes[side].getState().location;
      const to = panes[other(side)].getState().location;
      if (names.length === 0) return;
      if (!from || !to) {
        toast('info', 'Open a folder in the other pane first: that is where the files go.');
        return;
      }
      const what = names.length === 1 ? names[0]! : plural(names.length, 'item');
      const verb = move ? 'Move' : 'Copy';
      const ok = await ask<boolean>((resolve) => ({
        kind: 'confirm',
        title: `${verb} ${what}`,
        message: `${verb} ${what} to ${addressOf(specOf(to), to.path)}?`,
        confirm: verb,
        resolve,
      }));
      if (ok) await transfer(side, names, to, to.path, move);
      workspace.focusPane(side);
    },
    dragStarted() {},
    drop(side, folder, data, move) {
      const target = panes[side].getState().location;
      if (!target) return;
      const into = folder ? joinPath(target.path, folder) : target.path;
      const raw = data.getData(DRAG_TYPE);
      if (raw) {
        const payload = JSON.parse(raw) as DragPayload;
        const source = panes[payload.from].getState().location;
        if (!source) return;
        const sameSite = JSON.stringify(source.connection) === JSON.stringify(target.connection);
        // A drop onto the folder the items are in, or onto one of the items themselves, does nothing.
        if (sameSite && (into === source.path || payload.names.some((name) => joinPath(source.path, name) === into)))
          return;
        void transfer(payload.from, payload.names, target, into, move);
        return;
      }
      if (data.files.length > 0) void dropFiles(api, target, into, [...data.files], settings());
    },
    async newFolder(side) {
      const pane = panes[side].getState();
      const location = pane.location;
      if (!location) return;
      const name = await ask<string | undefined>((resolve) => ({
        kind: 'prompt',
        title: 'New folder',
        label: `Name of the new folder in ${addressOf(specOf(location), location.path)}`,
        initial: 'New folder',
        confirm: 'Create',
        resolve,
      }));
      if (!name) return workspace.focusPane(side);
      try {
        await api.browse.mkdir({ location: { connection: location.connection, path: joinPath(location.path, name) } });
        pane.refresh();
        panes[side].getState().select([name], name, name);
      } catch (error) {
        toast('error', errorText(error));
      }
      workspace.focusPane(side);
    },
    async remove(side, names) {
      const pane = panes[side].getState();
      const location = pane.location;
      if (!location || names.length === 0) return;
      const what = names.length === 1 ? `"${names[0]}"` : plural(names.length, 'item');
      if (settings().confirmDelete) {
        const ok = await ask<boolean>((resolve) => ({
          kind: 'confirm',
          title: 'Delete',
          message: `Delete ${what} from ${addressOf(specOf(location), location.path)}? This cannot be undone.`,
          confirm: 'Delete',
          danger: true,
          resolve,
        }));
        if (!ok) return workspace.focusPane(side);
      }
      for (const name of names) {
        try {
          await api.browse.remove({
            location: { connection: location.connection, path: joinPath(location.path, name) },
            recursive: true,
          });
        } catch (error) {
          toast('error', errorText(error));
        }
      }
      pane.refresh();
      workspace.focusPane(side);
    },
    async rename(side, from, to) {
      const pane = panes[side].getState();
      const location = pane.location;
      if (!location) return;
      try {
        await api.browse.rename({
          location: { connection: location.connection, path: joinPath(location.path, from) },
          to: joinPath(location.path, to),
        });
        pane.refresh();
        panes[side].getState().select([to], to, to);
      } catch (error) {
        toast('error', errorText(error));
      }
    },
  };

  // A question in a group answered "for all" earlier is answered the same way without asking again.
  api.on('transfer', (event) => {
    if (event.type !== 'ask') return;
    const { groups, groupAnswers } = queueStore.getState();
    const group = groups[event.jobId];
    const answer = group === undefined ? undefined : groupAnswers[group];
    if (answer === undefined) return;
    queueStore.getState().answered(event, answer, true);
    void api.transfers.answer({ askId: event.askId, answer, applyToAll: true }).catch(() => undefined);
  });
  // A finished job refreshes the panes showing the folder it wrote into; a finished move removes its sources.
  api.on('transfer', (event) => {
    if (event.type !== 'job' || (event.job.state !== 'completed' && event.job.state !== 'failed')) return;
    const target = event.job.request.target;
    for (const side of ['left', 'right'] as const) {
      const location = panes[side].getState().location;
      if (
        location &&
        JSON.stringify(location.connection) === JSON.stringify(target.connection) &&
        location.path === target.path
      )
        panes[side].getState().refresh();
    }
    const move = moves.get(event.job.id);
    if (move) {
      moves.delete(event.job.id);
      if (event.job.state === 'completed') {
        void api.browse
          .remove({ location: move.request.source, recursive: true })
          .then(() => panes[move.side].getState().refresh())
          .catch((error: unknown) =>
            toast('error', `Copied, but the original could not be removed: ${errorText(error)}`),
          );
      }
    }
  });
  return workspace;
}

/** Files dropped from the desktop: by path in the desktop app; uploaded from the browser in web mode. */
async function dropFiles(
  api: FileFerryApi,
  target: PaneLocation,
  into: string,
  files: File[],
  settings: Settings,
): Promise<void> {
  const bridge = desktopBridge();
  if (bridge) {
    for (const file of files) {
      const path = bridge.pathForFile(file);
      if (!path) continue;
      const job = await api.transfers.add({
        source: { connection: { spec: { kind: 'local' } }, path },
        target: { connection: target.connection, path: into },
        intoFolder: true,
        recursive: true,
        overwrite: settings.defaultOverwrite,
      });
      queueStore.getState().receive({ type: 'job', job });
    }
    return;
  }
  await uploadDroppedFiles(api, { connection: target.connection, path: into }, files);
}

/** A pane location's spec, for addresses (a saved connection's comes from its summary). */
export function specOf(location: PaneLocation) {
  return location.spec;
}

// The file grid's context menu (Radix ContextMenu around the grid): on a row, what can be done to it or to the
// selection it belongs to; on the empty area, to the folder. Each entry names its key where it has one (F5, F6,
// F2, Del, F7), so the menu also teaches the keyboard. The grid's own handlers run first and select the row that
// was right-clicked; the menu reads the row from the event and the selection from the pane's store.
import * as Menu from '@radix-ui/react-context-menu';
import {
  ArrowRightLeft,
  Copy,
  FolderOpen,
  FolderPlus,
  Info,
  Layers,
  Link,
  Pencil,
  RefreshCw,
  Sparkles,
  Trash2,
  Undo2,
} from 'lucide-react';
import { useRef, useState, type MouseEvent } from 'react';
import { useStore } from 'zustand';
import { addressOf } from '../../../shared/locations';
import { joinPath } from '../../../shared/paths';
import type { Entry } from '../../../shared/provider';
import { useWorkspace } from '../app/workspace';
import { canSummarize, SUMMARIZE_KEY, summarizeEntry } from '../summaries/summarize';
import { copyAddresses } from './clipboard';
import type { PaneStore, Side } from './pane-store';
import { PropertiesDialog } from './PropertiesDialog';
import { StorageClassDialog } from './StorageClassDialog';

/** What the menu was opened on: entries (the clicked row, or the selection it is part of) or the folder. */
interface Target {
  /** The row right-clicked; undefined on the empty area. */
  entry?: Entry;
  /** The entries acted on: the selection when the clicked row is in it, else the clicked row alone. */
  entries: Entry[];
}

const isMac = typeof navigator !== 'undefined' && /Mac/.test(navigator.platform);

type PaneDialog = { kind: 'properties'; entry: Entry } | { kind: 'storage-class'; entries: Entry[] };

export function FileContextMenu({
  side,
  store,
  children,
}: {
  side: Side;
  store: PaneStore;
  children: React.ReactElement;
}): React.JSX.Element {
  const workspace = useWorkspace();
  const [target, setTarget] = useState<Target>({ entries: [] });
  const [dialog, setDialog] = useState<PaneDialog>();
  // Whether closing the menu gives the focus back to the grid (not when a dialog or the rename field takes it).
  const refocus = useRef(true);

  const onContextMenu = (event: MouseEvent) => {
    const state = store.getState();
    const element = event.target as HTMLElement;
    // From the keyboard (the menu key, Shift+F10) the event is the grid's own: the menu is the focused row's.
    const fromKeyboard = element.getAttribute('role') === 'grid';
    const name = fromKeyboard
      ? state.focused
      : (element.closest<HTMLElement>('.grid-row')?.getAttribute('aria-label') ?? undefined);
    const entry = name === undefined ? undefined : state.entries.find((candidate) => candidate.name === name);
    const names = entry && state.selected.has(entry.name) ? state.selected : new Set(entry ? [entry.name] : []);
    setTarget({ ...(entry ? { entry } : {}), entries: state.entries.filter((candidate) => names.has(candidate.name)) });
    refocus.current = true;
  };

  const location = useStore(store, (state) => state.location);
  const { entry, entries } = target;
  const names = entries.map((e) => e.name);
  const cloud = location?.spec.kind === 's3' || location?.spec.kind === 'azure-blob';
  const files = entries.filter((e) => e.type === 'file');
  const archived = files.some((e) => e.unavailable !== undefined);
  const noun = location?.spec.kind === 'azure-blob' ? 'access tier' : 'storage class';

  const copyAddress = () => {
    if (!location) return;
    const addresses = entry
      ? names.map((name) => addressOf(location.spec, joinPath(location.path, name)))
      : [addressOf(location.spec, location.path)];
    copyAddresses(addresses);
  };
  const openDialog = (next: PaneDialog) => {
    refocus.current = false;
    setDialog(next);
  };
  const closeDialog = () => {
    setDialog(undefined);
    workspace.focusPane(side);
  };

  return (
    <>
      <Menu.Root modal={false}>
        <Menu.Trigger asChild onContextMenu={onContextMenu}>
          {children}
        </Menu.Trigger>
        <Menu.Portal>
          <Menu.Content
            className="menu file-menu"
            aria-label={entry ? (entries.length > 1 ? `${entries.length} items` : entry.name) : 'This folder'}
            onCloseAutoFocus={(event) => {
              if (!refocus.current) event.preventDefault();
            }}
          >
            {entry ? (
              <>
                {entry.type === 'folder' && entries.length === 1 && (
                  <Item icon={FolderOpen} label="Open" hint="Enter" onSelect={() => workspace.openEntry(side, entry)} />
                )}
                <Item
                  icon={Copy}
                  label="Copy to other pane"
                  hint="F5"
                  onSelect={() => void workspace.copyToOther(side, names, false)}
                />
                <Item
                  icon={ArrowRightLeft}
                  label="Move to other pane"
                  hint="F6"
                  onSelect={() => void workspace.copyToOther(side, names, true)}
                />
                <Item
                  icon={Pencil}
                  label="Rename"
                  hint="F2"
                  disabled={entries.length !== 1}
                  onSelect={() => {
                    // The rename field takes the focus; the grid must not take it back as the menu closes.
                    refocus.current = false;
                    store.getState().setRenaming(entry.name);
                  }}
                />
                <Item
                  icon={Trash2}
                  label="Delete"
                  hint="Del"
                  danger
                  onSelect={() => void workspace.remove(side, names)}
                />
                <Menu.Separator className="menu-separator" />
                <Item icon={Link} label="Copy address" onSelect={copyAddress} />
                <Item
                  icon={Info}
                  label="Properties"
                  disabled={entries.length !== 1}
                  onSelect={() => openDialog({ kind: 'properties', entry })}
                />
                {cloud && files.length > 0 && (
                  <Item
                    icon={archived ? Undo2 : Layers}
                    label={archived ? 'Restore / change tier…' : `Change ${noun}…`}
                    onSelect={() => openDialog({ kind: 'storage-class', entries: files })}
                  />
                )}
                {/* Slots for later issues go here, in a group of their own after a separator: History, Summarize
                    and Sync fill them. Left out until then rather than shown disabled. */}
                {canSummarize(entries, workspace.settings) && (
                  <>
                    <Menu.Separator className="menu-separator" />
                    <Item
                      icon={Sparkles}
                      label="Summarize"
                      hint={SUMMARIZE_KEY.hint}
                      onSelect={() => {
                        // The summary panel takes the focus; the grid must not take it back as the menu closes.
                        refocus.current = false;
                        summarizeEntry(workspace, side, entry);
                      }}
                    />
                  </>
                )}
                <Menu.Separator className="menu-separator" />
                <Item icon={FolderPlus} label="New folder" hint="F7" onSelect={() => void workspace.newFolder(side)} />
              </>
            ) : (
              <>
                <Item icon={FolderPlus} label="New folder" hint="F7" onSelect={() => void workspace.newFolder(side)} />
                <Item icon={Link} label="Copy address" onSelect={copyAddress} />
                <Item
                  icon={RefreshCw}
                  label="Refresh"
                  hint={isMac ? '⌘R' : 'Ctrl+R'}
                  onSelect={() => store.getState().refresh()}
                />
              </>
            )}
          </Menu.Content>
        </Menu.Portal>
      </Menu.Root>
      {dialog?.kind === 'properties' && location && (
        <PropertiesDialog location={location} entry={dialog.entry} onClose={closeDialog} />
      )}
      {dialog?.kind === 'storage-class' && location && (
        <StorageClassDialog location={location} entries={dialog.entries} store={store} onClose={closeDialog} />
      )}
    </>
  );
}

function Item({
  icon: Icon,
  label,
  hint,
  danger,
  disabled,
  onSelect,
}: {
  icon: React.ComponentType<{ size?: number; 'aria-hidden'?: boolean }>;
  label: string;
  hint?: string;
  danger?: boolean;
  disabled?: boolean;
  onSelect: () => void;
}): React.JSX.Element {
  return (
    <Menu.Item
      className={danger ? 'menu-item danger' : 'menu-item'}
      disabled={disabled}
      aria-keyshortcuts={
        hint === SUMMARIZE_KEY.hint
          ? SUMMARIZE_KEY.aria
          : hint && /^F\d|^Del|^Enter/.test(hint)
            ? hint.replace('Del', 'Delete')
            : undefined
      }
      onSelect={onSelect}
    >
      <Icon size={14} aria-hidden />
      <span className="menu-label">{label}</span>
      {hint && (
        <span className="menu-hint" aria-hidden>
          {hint}
        </span>
      )}
    </Menu.Item>
  );
}

// A pane's file list: an accessible grid (role grid named "Files", a row per entry named by the entry's name),
// virtualized with TanStack Virtual so only what is on screen is in the DOM, however long the folder. The
// keyboard model is a two-pane commander's: arrows, Home/End, PageUp/PageDown, Enter opens, Backspace goes up,
// Space and Ctrl/Cmd+A select, type-ahead jumps to a name; F2 renames in place; F5/F6/F7/Delete act through
// the workspace. Rows drag to the other pane or onto a folder row; files from the desktop drop in.
import { useVirtualizer } from '@tanstack/react-virtual';
import clsx from 'clsx';
import { ArrowDown, ArrowUp } from 'lucide-react';
import {
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type DragEvent,
  type KeyboardEvent,
  type MouseEvent,
} from 'react';
import { useStore } from 'zustand';
import type { Entry } from '../../../shared/provider';
import { DRAG_TYPE, type DragPayload, useWorkspace } from '../app/workspace';
import { FileContextMenu } from './FileContextMenu';
import { FileRow, type RowActions } from './FileRow';
import { useRowSlots } from './row-slots';
import type { PaneStore, SortKey } from './pane-store';

const COLUMNS: Array<{ key: SortKey; label: string; className: string; cloudOnly?: boolean }> = [
  { key: 'name', label: 'Name', className: 'col-name' },
  { key: 'size', label: 'Size', className: 'col-size' },
  { key: 'modified', label: 'Modified', className: 'col-modified' },
  { key: 'type', label: 'Type', className: 'col-type' },
  { key: 'class', label: 'Class', className: 'col-class', cloudOnly: true },
];

const TYPE_AHEAD_MS = 800;
const isMac = typeof navigator !== 'undefined' && /Mac/.test(navigator.platform);

export function FileGrid({ store, active }: { store: PaneStore; active: boolean }): React.JSX.Element {
  const workspace = useWorkspace();
  const state = useStore(store);
  const { side, rows, sort, selected, focused, location, renaming } = state;
  // Built when first asked (a focused row, a selection): not for each page of a listing nobody has touched.
  const indexOf = useMemo(() => lazyIndex(rows), [rows]);
  const cloud = location?.spec.kind === 's3' || location?.spec.kind === 'azure-blob';
  const columns = COLUMNS.filter((column) => !column.cloudOnly || cloud);

  const scroller = useRef<HTMLDivElement>(null);
  const grid = useRef<HTMLDivElement>(null);
  const rowHeight = workspace.rowHeight;
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 3,
  });
  useEffect(() => virtualizer.measure(), [rowHeight, virtualizer]);

  const focusIndex = focused !== undefined ? (indexOf.get(focused) ?? -1) : -1;
  useEffect(() => {
    if (focusIndex >= 0) virtualizer.scrollToIndex(focusIndex, { align: 'auto' });
  }, [focusIndex, virtualizer]);
  useEffect(() => {
    if (active) grid.current?.focus({ preventScroll: true });
  }, [active, location?.path]);

  const typeAhead = useRef({ text: '', at: 0 });
  const [dropTarget, setDropTarget] = useState<string | 'pane' | undefined>();

  const rowId = (name: string) => `${side}-row-${encodeURIComponent(name)}`;
  const selectedNames = () => [...selected].filter((name) => indexOf.has(name));

  const focusAt = (index: number, extend: boolean, toggle = false) => {
    const entry = rows[Math.max(0, Math.min(rows.length - 1, index))];
    if (!entry) return;
    if (extend) {
      const anchor = state.anchor !== undefined && indexOf.has(state.anchor) ? indexOf.get(state.anchor)! : index;
      const [from, to] = anchor < index ? [anchor, index] : [index, anchor];
      store.getState().select(
        rows.slice(from, to + 1).map((row) => row.name),
        entry.name,
      );
    } else if (toggle) {
      store.getState().select(selected, entry.name);
    } else {
      store.getState().select([entry.name], entry.name, entry.name);
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (renaming) return;
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? rowHeight * 10) / rowHeight) - 1);
    const current = focusIndex;
    const mod = isMac ? event.metaKey : event.ctrlKey;
    const names = selectedNames();
    const focusedEntry = current >= 0 ? rows[current] : undefined;
    const act = (fn: () => void) => {
      event.preventDefault();
      fn();
    };
    switch (event.key) {
      case 'ArrowDown':
        return act(() => focusAt(current + 1, event.shiftKey, mod));
      case 'ArrowUp':
        return act(() => focusAt(current <= 0 ? 0 : current - 1, event.shiftKey, mod));
      case 'PageDown':
        return act(() => focusAt(current + page, event.shiftKey));
      case 'PageUp':
        return act(() => focusAt(Math.max(0, current - page), event.shiftKey));
      case 'Home':
        return act(() => focusAt(0, event.shiftKey));
      case 'End':
        return act(() => focusAt(rows.length - 1, event.shiftKey));
      case 'Enter':
        return act(() => focusedEntry && workspace.openEntry(side, focusedEntry));
      case 'Backspace':
        return act(() => store.getState().up());
      case ' ':
        return act(() => {
          if (!focusedEntry) return;
          const next = new Set(selected);
          if (next.has(focusedEntry.name)) next.delete(focusedEntry.name);
          else next.add(focusedEntry.name);
          store.getState().select(next, focusedEntry.name, focusedEntry.name);
        });
      case 'F2':
        return act(() => focusedEntry && store.getState().setRenaming(focusedEntry.name));
      case 'F5':
        return act(() =>
          workspace.copyToOther(side, names.length ? names : focusedEntry ? [focusedEntry.name] : [], false),
        );
      case 'F6':
        return act(() =>
          workspace.copyToOther(side, names.length ? names : focusedEntry ? [focusedEntry.name] : [], true),
        );
      case 'F7':
        return act(() => workspace.newFolder(side));
      case 'Delete':
        return act(() => workspace.remove(side, names.length ? names : focusedEntry ? [focusedEntry.name] : []));
      case 'Tab':
        if (event.ctrlKey || event.altKey || event.metaKey) return;
        return act(() => workspace.focusPane(side === 'left' ? 'right' : 'left'));
      case 'F3':
      case 'Escape':
        if (event.key === 'Escape' && selected.size > 0) return act(() => store.getState().select([]));
        return;
    }
    if (mod && event.key.toLowerCase() === 'a') {
      return act(() =>
        store.getState().select(
          rows.map((row) => row.name),
          focused ?? rows[0]?.name,
        ),
      );
    }
    if (mod && event.key.toLowerCase() === 'r') return act(() => store.getState().refresh());
    // Type-ahead: letters typed in quick succession jump to the next name starting with them.
    if (event.key.length === 1 && !mod && !event.altKey && /\S/.test(event.key)) {
      event.preventDefault();
      const now = Date.now();
      const ahead = typeAhead.current;
      ahead.text = now - ahead.at < TYPE_AHEAD_MS ? ahead.text + event.key.toLowerCase() : event.key.toLowerCase();
      ahead.at = now;
      const start = ahead.text.length === 1 ? current + 1 : Math.max(0, current);
      for (let step = 0; step < rows.length; step++) {
        const index = (start + step) % rows.length;
        if (rows[index]!.name.toLowerCase().startsWith(ahead.text)) return focusAt(index, false);
      }
    }
  };

  const onRowClick = (event: MouseEvent, entry: Entry, index: number) => {
    workspace.activate(side);
    const mod = isMac ? event.metaKey : event.ctrlKey;
    if (event.shiftKey) focusAt(index, true);
    else if (mod) {
      const next = new Set(selected);
      if (next.has(entry.name)) next.delete(entry.name);
      else next.add(entry.name);
      store.getState().select(next, entry.name, entry.name);
    } else store.getState().select([entry.name], entry.name, entry.name);
  };

  const onDragStart = (event: DragEvent, entry: Entry) => {
    if (!location) return;
    const names = selected.has(entry.name) ? selectedNames() : [entry.name];
    if (!selected.has(entry.name)) store.getState().select([entry.name], entry.name, entry.name);
    const payload: DragPayload = { from: side, names };
    event.dataTransfer.setData(DRAG_TYPE, JSON.stringify(payload));
    event.dataTransfer.setData('text/plain', names.join('\n'));
    event.dataTransfer.effectAllowed = 'copyMove';
    const image = document.createElement('div');
    image.className = 'drag-image';
    image.textContent = names.length === 1 ? names[0]! : `${names.length} items`;
    document.body.append(image);
    event.dataTransfer.setDragImage(image, 12, 12);
    setTimeout(() => image.remove(), 0);
    workspace.dragStarted(side, names);
  };

  const accepts = (event: DragEvent) =>
    event.dataTransfer.types.includes(DRAG_TYPE) || event.dataTransfer.types.includes('Files');
  const moveModifier = (event: DragEvent) => (isMac ? event.metaKey : event.shiftKey);

  const onDragOver = (event: DragEvent, folder?: string) => {
    if (!accepts(event)) return;
    event.preventDefault();
    event.stopPropagation();
    event.dataTransfer.dropEffect = moveModifier(event) ? 'move' : 'copy';
    setDropTarget(folder ?? 'pane');
  };
  const onDrop = (event: DragEvent, folder?: string) => {
    if (!accepts(event)) return;
    event.preventDefault();
    event.stopPropagation();
    setDropTarget(undefined);
    workspace.drop(side, folder, event.dataTransfer, moveModifier(event));
  };

  // Rows get the same functions at every render (FileRow is memoized); each calls the latest handler.
  const latest = useRef({ onRowClick, onDragStart, onDragOver, onDrop });
  useLayoutEffect(() => {
    latest.current = { onRowClick, onDragStart, onDragOver, onDrop };
  });
  const rowActions = useMemo<RowActions>(
    () => ({
      click: (event, entry, index) => latest.current.onRowClick(event, entry, index),
      open: (entry) => workspace.openEntry(side, entry),
      contextMenu: (entry) => {
        workspace.activate(side);
        const { selected: now } = store.getState();
        if (!now.has(entry.name)) store.getState().select([entry.name], entry.name, entry.name);
      },
      dragStart: (event, entry) => latest.current.onDragStart(event, entry),
      dragEnd: () => setDropTarget(undefined),
      dragOver: (event, folder) => latest.current.onDragOver(event, folder),
      drop: (event, folder) => latest.current.onDrop(event, folder),
      focusGrid: () => grid.current?.focus({ preventScroll: true }),
      renamed: (entry, to) => {
        store.getState().setRenaming(undefined);
        grid.current?.focus();
        if (to && to !== entry.name) void workspace.rename(side, entry.name, to);
      },
    }),
    [workspace, side, store],
  );

  const items = virtualizer.getVirtualItems();
  // Keys by slot: a row scrolled out gives its DOM to the row scrolled in (row-slots.ts).
  const slots = useRowSlots(items.map((item) => item.index));
  const columnTemplate = cloud ? 'grid-cloud' : 'grid-plain';
  const view = (
    <div
      ref={grid}
      role="grid"
      aria-label="Files"
      aria-rowcount={rows.length + 1}
      aria-multiselectable="true"
      aria-activedescendant={focusIndex >= 0 ? rowId(rows[focusIndex]!.name) : undefined}
      tabIndex={0}
      className={clsx('file-grid', columnTemplate, { active, 'drop-pane': dropTarget === 'pane' })}
      onKeyDown={onKeyDown}
      onFocus={() => workspace.activate(side)}
      onDragOver={(event) => onDragOver(event)}
      onDragLeave={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDropTarget(undefined);
      }}
      onDrop={(event) => onDrop(event)}
      onContextMenu={(event) => {
        if (event.target === event.currentTarget || (event.target as HTMLElement).classList.contains('grid-body')) {
          store.getState().select([]);
        }
      }}
    >
      <div role="row" aria-rowindex={1} className="grid-header">
        {columns.map((column) => (
          <div
            key={column.key}
            role="columnheader"
            className={column.className}
            aria-sort={sort.key === column.key ? (sort.descending ? 'descending' : 'ascending') : 'none'}
          >
            <button type="button" tabIndex={-1} onClick={() => store.getState().setSort(column.key)}>
              {column.label}
              {sort.key === column.key &&
                (sort.descending ? <ArrowDown size={12} aria-hidden /> : <ArrowUp size={12} aria-hidden />)}
            </button>
          </div>
        ))}
      </div>
      <div
        ref={scroller}
        className="grid-scroller"
        onClick={(event) => event.target === event.currentTarget && store.getState().select([])}
      >
        <div className="grid-body" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item, at) => {
            const entry = rows[item.index]!;
            return (
              <FileRow
                key={slots[at]}
                entry={entry}
                index={item.index}
                start={item.start}
                height={rowHeight}
                id={rowId(entry.name)}
                selected={selected.has(entry.name)}
                focused={item.index === focusIndex}
                dropTarget={dropTarget === entry.name}
                renaming={renaming === entry.name}
                cloud={cloud}
                actions={rowActions}
              />
            );
          })}
        </div>
      </div>
    </div>
  );
  return (
    <FileContextMenu side={side} store={store}>
      {view}
    </FileContextMenu>
  );
}

/** Each row's index by name, built on first use. */
function lazyIndex(rows: readonly Entry[]): Pick<Map<string, number>, 'get' | 'has'> {
  let index: Map<string, number> | undefined;
  const built = () => (index ??= new Map(rows.map((entry, at) => [entry.name, at])));
  return { get: (name) => built().get(name), has: (name) => built().has(name) };
}

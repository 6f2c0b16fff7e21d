// One row of a pane's grid. Rows are the hot path of scrolling a folder of 100,000 entries: each is memoized
// (a scroll step re-renders only the rows whose entry or state changed) and keyed by its slot in the window of
// rows on screen, not by its name, so a row scrolled out hands its DOM to the one scrolled in (text and
// attributes change; no elements are removed and created). The grid passes stable callbacks.
import clsx from 'clsx';
import { Archive } from 'lucide-react';
import { memo, useEffect, useRef, type DragEvent, type MouseEvent } from 'react';
import type { Entry } from '../../../shared/provider';
import { kindOf } from '../common/file-kind';
import { formatFullDate, formatListDate, formatSize } from '../common/format';
import { FileIcon } from './FileIcon';

/** What a row does when used: the grid's handlers, the same functions for every render. */
export interface RowActions {
  click(event: MouseEvent, entry: Entry, index: number): void;
  open(entry: Entry): void;
  contextMenu(entry: Entry): void;
  dragStart(event: DragEvent, entry: Entry): void;
  dragEnd(): void;
  dragOver(event: DragEvent, folder: string): void;
  drop(event: DragEvent, folder: string): void;
  focusGrid(): void;
  renamed(entry: Entry, to: string | undefined): void;
}

interface FileRowProps {
  entry: Entry;
  index: number;
  /** Top of the row in the grid's body, px. */
  start: number;
  height: number;
  id: string;
  selected: boolean;
  focused: boolean;
  dropTarget: boolean;
  renaming: boolean;
  cloud: boolean;
  actions: RowActions;
}

export const FileRow = memo(function FileRow({
  entry,
  index,
  start,
  height,
  id,
  selected,
  focused,
  dropTarget,
  renaming,
  cloud,
  actions,
}: FileRowProps): React.JSX.Element {
  const kind = kindOf(entry);
  const archived = entry.unavailable !== undefined;
  const folder = entry.type === 'folder';
  return (
    <div
      id={id}
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      aria-label={entry.name}
      data-type={entry.type}
      className={clsx('grid-row', { selected, focused, archived, 'drop-row': dropTarget })}
      style={{ transform: `translateY(${start}px)`, height }}
      draggable={!renaming}
      title={entry.unavailable}
      onMouseDown={(event) => event.button === 0 && actions.focusGrid()}
      onClick={(event) => actions.click(event, entry, index)}
      onDoubleClick={() => actions.open(entry)}
      onContextMenu={() => actions.contextMenu(entry)}
      onDragStart={(event) => actions.dragStart(event, entry)}
      onDragEnd={actions.dragEnd}
      onDragOver={folder ? (event) => actions.dragOver(event, entry.name) : undefined}
      onDrop={folder ? (event) => actions.drop(event, entry.name) : undefined}
    >
      <div role="gridcell" className="col-name">
        <FileIcon iconId={kind.iconId} className={clsx('file-icon', entry.type)} />
        {renaming ? (
          <RenameInput name={entry.name} onDone={(to) => actions.renamed(entry, to)} />
        ) : (
          <span className="name">{entry.name}</span>
        )}
        {archived && <Archive size={12} className="archived-badge" aria-label="Archived" />}
      </div>
      <div role="gridcell" className="col-size">
        {folder ? '—' : formatSize(entry.size)}
      </div>
      <div
        role="gridcell"
        className="col-modified"
        title={entry.modified === undefined ? entry.modifiedText : formatFullDate(entry.modified)}
      >
        {entry.modified === undefined && entry.modifiedText ? entry.modifiedText : formatListDate(entry.modified)}
      </div>
      <div role="gridcell" className="col-type">
        {kind.label}
      </div>
      {cloud && (
        <div role="gridcell" className="col-class">
          {entry.storageClass ?? '—'}
        </div>
      )}
    </div>
  );
});

function RenameInput({ name, onDone }: { name: string; onDone: (to: string | undefined) => void }): React.JSX.Element {
  const input = useRef<HTMLInputElement>(null);
  // Enter, Escape and the blur that follows them end the rename once.
  const ended = useRef(false);
  const end = (to: string | undefined) => {
    if (ended.current) return;
    ended.current = true;
    onDone(to);
  };
  useEffect(() => {
    const element = input.current;
    if (!element) return;
    element.focus();
    // Select the name without its extension, as Finder and Explorer do.
    const dot = name.lastIndexOf('.');
    element.setSelectionRange(0, dot > 0 ? dot : name.length);
  }, [name]);
  return (
    <input
      ref={input}
      className="rename-input"
      aria-label={`New name for ${name}`}
      defaultValue={name}
      onKeyDown={(event) => {
        event.stopPropagation();
        if (event.key === 'Enter') end(event.currentTarget.value.trim());
        if (event.key === 'Escape') end(undefined);
      }}
      onBlur={(event) => end(event.currentTarget.value.trim())}
      onClick={(event) => event.stopPropagation()}
    />
  );
}

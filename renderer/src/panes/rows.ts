// What a pane's grid shows of its listing: hidden files out unless asked for, the filter applied as typed,
// folders first, then the chosen column in the chosen direction. Names compare as people read them
// (numeric: "file 2" before "file 10"; case and accents ignored for order: name-order.ts).
//
// A folder of 100,000 entries arrives in pages while it shows. Sorting everything again for each page cost
// ~6 s of the renderer's main thread for such a folder (the collator's compare is the expensive part), so
// arriving pages are sorted on their own and merged into the rows already shown (addRows, sorted-merge.ts),
// and names compare by precomputed keys (name-order.ts).
import type { Entry } from '../../../shared/provider';
import { kindOf } from '../common/file-kind';
import { compareNamed } from './name-order';
import { mergeSorted } from './sorted-merge';

export type SortKey = 'name' | 'size' | 'modified' | 'type' | 'class';

export interface RowOptions {
  sort: { key: SortKey; descending: boolean };
  filter: string;
  showHidden: boolean;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

export function isHidden(name: string): boolean {
  return name.startsWith('.');
}

export function visibleRows(entries: readonly Entry[], options: RowOptions): Entry[] {
  return shown(entries, options).sort(rowOrder(options.sort));
}

/** `rows` (visibleRows of some entries, with these options) with the visible ones of `arrived` in their places. */
export function addRows(rows: readonly Entry[], arrived: readonly Entry[], options: RowOptions): Entry[] {
  const compare = rowOrder(options.sort);
  return mergeSorted(rows, shown(arrived, options).sort(compare), compare);
}

function shown(entries: readonly Entry[], options: RowOptions): Entry[] {
  const needle = options.filter.trim().toLocaleLowerCase();
  return entries.filter(
    (entry) =>
      (options.showHidden || !isHidden(entry.name)) && (!needle || entry.name.toLocaleLowerCase().includes(needle)),
  );
}

/** Folders first, then the sort column in its direction, names breaking ties. */
function rowOrder(sort: RowOptions['sort']): (a: Entry, b: Entry) => number {
  const direction = sort.descending ? -1 : 1;
  const byName = (a: Entry, b: Entry) => compareNamed(a, b);
  const compare: Record<SortKey, (a: Entry, b: Entry) => number> = {
    name: byName,
    size: (a, b) => (a.size ?? -1) - (b.size ?? -1) || byName(a, b),
    modified: (a, b) => (a.modified ?? 0) - (b.modified ?? 0) || byName(a, b),
    type: (a, b) => collator.compare(kindOf(a).label, kindOf(b).label) || byName(a, b),
    class: (a, b) => collator.compare(a.storageClass ?? '', b.storageClass ?? '') || byName(a, b),
  };
  const chosen = compare[sort.key];
  return (a, b) => {
    if (a.type !== b.type) return a.type === 'folder' ? -1 : 1;
    return direction * chosen(a, b);
  };
}

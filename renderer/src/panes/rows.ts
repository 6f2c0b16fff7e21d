// What a pane's grid shows of its listing: hidden files out unless asked for, the filter applied as typed,
// folders first, then the chosen column in the chosen direction. Names compare as people read them
// (numeric: "file 2" before "file 10"; case and accents ignored for order).
import type { Entry } from '../../../shared/provider';
import { kindOf } from '../common/file-kind';
import type { SortKey } from './pane-store';

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

export function isHidden(name: string): boolean {
  return name.startsWith('.');
}

export function visibleRows(
  entries: readonly Entry[],
  options: { sort: { key: SortKey; descending: boolean }; filter: string; showHidden: boolean },
): Entry[] {
  const needle = options.filter.trim().toLocaleLowerCase();
  const rows = entries.filter(
    (entry) =>
      (options.showHidden || !isHidden(entry.name)) && (!needle || entry.name.toLocaleLowerCase().includes(needle)),
  );
  const direction = options.sort.descending ? -1 : 1;
  const byName = (a: Entry, b: Entry) => collator.compare(a.name, b.name);
  const compare: Record<SortKey, (a: Entry, b: Entry) => number> = {
    name: byName,
    size: (a, b) => (a.size ?? -1) - (b.size ?? -1) || byName(a, b),
    modified: (a, b) => (a.modified ?? 0) - (b.modified ?? 0) || byName(a, b),
    type: (a, b) => collator.compare(kindOf(a).label, kindOf(b).label) || byName(a, b),
    class: (a, b) => collator.compare(a.storageClass ?? '', b.storageClass ?? '') || byName(a, b),
  };
  const chosen = compare[options.sort.key];
  return rows.sort((a, b) => {
    if (a.type !== b.type) return a.type === 'folder' ? -1 : 1;
    return direction * chosen(a, b);
  });
}

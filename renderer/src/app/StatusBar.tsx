// The status bar: what is selected in the focused pane and how much it weighs, and how many items each pane
// lists (with "listing…" while one is still arriving).
import { useMemo } from 'react';
import { useStore } from 'zustand';
import { formatSize, plural } from '../common/format';
import type { PaneStore, Side } from '../panes/pane-store';
import { uiStore } from './ui-store';

function PaneSummary({ side, store }: { side: Side; store: PaneStore }): React.JSX.Element {
  const count = useStore(store, (state) => state.entries.length);
  const open = useStore(store, (state) => state.location !== undefined);
  const loading = useStore(store, (state) => state.listing?.state === 'loading');
  return (
    <span>
      {side}: {open ? plural(count, 'item') : 'nothing open'}
      {loading ? ' (listing…)' : ''}
    </span>
  );
}

export function StatusBar({ panes }: { panes: Record<Side, PaneStore> }): React.JSX.Element {
  const active = useStore(uiStore, (state) => state.active);
  const entries = useStore(panes[active], (state) => state.entries);
  const selected = useStore(panes[active], (state) => state.selected);
  // Not a pass over 100,000 entries for each page of a listing when nothing is selected.
  const { count, bytes } = useMemo(() => {
    if (selected.size === 0) return { count: 0, bytes: 0 };
    const picked = entries.filter((entry) => selected.has(entry.name));
    return { count: picked.length, bytes: picked.reduce((sum, entry) => sum + (entry.size ?? 0), 0) };
  }, [entries, selected]);
  return (
    <footer className="status-bar" aria-label="Status">
      <span>{count > 0 ? `${plural(count, 'item')} selected · ${formatSize(bytes)}` : 'Nothing selected'}</span>
      <span className="status-end">
        <PaneSummary side="left" store={panes.left} />
        <PaneSummary side="right" store={panes.right} />
      </span>
    </footer>
  );
}

// The status bar: what is selected in the focused pane and how much it weighs, and how many items each pane
// lists (with "listing…" while one is still arriving).
import { useStore } from 'zustand';
import { formatSize, plural } from '../common/format';
import type { PaneStore, Side } from '../panes/pane-store';
import { uiStore } from './ui-store';

function PaneSummary({ side, store }: { side: Side; store: PaneStore }): React.JSX.Element {
  const { entries, listing, location } = useStore(store);
  return (
    <span>
      {side}: {location ? plural(entries.length, 'item') : 'nothing open'}
      {listing?.state === 'loading' ? ' (listing…)' : ''}
    </span>
  );
}

export function StatusBar({ panes }: { panes: Record<Side, PaneStore> }): React.JSX.Element {
  const active = useStore(uiStore, (state) => state.active);
  const { entries, selected } = useStore(panes[active]);
  const picked = entries.filter((entry) => selected.has(entry.name));
  const bytes = picked.reduce((sum, entry) => sum + (entry.size ?? 0), 0);
  return (
    <footer className="status-bar" aria-label="Status">
      <span>
        {picked.length > 0 ? `${plural(picked.length, 'item')} selected · ${formatSize(bytes)}` : 'Nothing selected'}
      </span>
      <span className="status-end">
        <PaneSummary side="left" store={panes.left} />
        <PaneSummary side="right" store={panes.right} />
      </span>
    </footer>
  );
}

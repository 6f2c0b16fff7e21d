// The saved connections on the left of the manager: a listbox grouped by each connection's group ("Clients/Acme"
// under the heading "Clients / Acme"), each option with its kind badge and address. Arrow keys, Home and End move
// the selection as in any list; a filter narrows a long list by name, address or group.
import clsx from 'clsx';
import { Search } from 'lucide-react';
import { useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { ConnectionSummary } from '../../../shared/api';
import { KindBadge } from '../panes/ConnectionPicker';

interface Group {
  name: string;
  connections: ConnectionSummary[];
}

/** Connections by group, ungrouped first, in the store's order (group, then name). */
function grouped(connections: ConnectionSummary[]): Group[] {
  const groups = new Map<string, ConnectionSummary[]>();
  for (const connection of connections) {
    const key = connection.group ?? '';
    groups.set(key, [...(groups.get(key) ?? []), connection]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b)))
    .map(([name, members]) => ({ name, connections: members }));
}

export function ConnectionList({
  connections,
  selectedId,
  onSelect,
}: {
  connections: ConnectionSummary[];
  selectedId: string | undefined;
  onSelect: (id: string) => void;
}): React.JSX.Element {
  const [filter, setFilter] = useState('');
  const list = useRef<HTMLDivElement>(null);
  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    if (!needle) return connections;
    return connections.filter((c) =>
      [c.name, c.address, c.group ?? ''].some((text) => text.toLowerCase().includes(needle)),
    );
  }, [connections, filter]);
  const groups = useMemo(() => grouped(shown), [shown]);
  const order = groups.flatMap((group) => group.connections);
  const current = order.findIndex((c) => c.id === selectedId);

  const move = (index: number) => {
    const target = order[Math.max(0, Math.min(order.length - 1, index))];
    if (!target) return;
    onSelect(target.id);
    list.current?.querySelector<HTMLElement>(`[data-id="${CSS.escape(target.id)}"]`)?.focus();
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(current + 1),
      ArrowUp: () => move(current <= 0 ? 0 : current - 1),
      Home: () => move(0),
      End: () => move(order.length - 1),
    };
    const action = keys[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  };

  return (
    <div className="cm-list">
      <label className="cm-list-filter">
        <Search size={13} aria-hidden />
        <input
          type="search"
          aria-label="Filter connections"
          placeholder="Filter connections"
          value={filter}
          onChange={(event) => setFilter(event.target.value)}
        />
      </label>
      <div ref={list} role="listbox" aria-label="Saved connections" className="cm-options" onKeyDown={onKeyDown}>
        {connections.length === 0 && <p className="cm-list-empty">No saved connections yet.</p>}
        {connections.length > 0 && shown.length === 0 && <p className="cm-list-empty">Nothing matches “{filter}”.</p>}
        {groups.map((group) => (
          <div key={group.name} {...(group.name ? { role: 'group', 'aria-label': group.name } : { role: 'none' })}>
            {group.name && (
              <div className="cm-group-name" aria-hidden>
                {group.name.split('/').join(' / ')}
              </div>
            )}
            {group.connections.map((connection) => {
              const selected = connection.id === selectedId;
              const tls = connection.spec.kind === 'ftps' ? connection.spec.tls : undefined;
              return (
                <div
                  key={connection.id}
                  role="option"
                  aria-selected={selected}
                  aria-label={connection.name}
                  aria-describedby={`cm-address-${connection.id}`}
                  data-id={connection.id}
                  tabIndex={selected || (current < 0 && connection === order[0]) ? 0 : -1}
                  className={clsx('cm-option', { selected, nested: group.name !== '' })}
                  onClick={() => onSelect(connection.id)}
                >
                  <KindBadge kind={connection.kind} {...(tls ? { tls } : {})} />
                  <span className="cm-option-text">
                    <span className="cm-option-name">{connection.name}</span>
                    <span id={`cm-address-${connection.id}`} className="cm-option-address">
                      {connection.address}
                    </span>
                  </span>
                </div>
              );
            })}
          </div>
        ))}
      </div>
    </div>
  );
}

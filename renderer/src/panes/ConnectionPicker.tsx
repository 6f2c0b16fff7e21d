// The pane's connection menu: the local disk, each saved connection (with its kind), and the connection
// manager. A Radix dropdown: keyboard, focus and screen-reader behaviour come with it.
import * as Menu from '@radix-ui/react-dropdown-menu';
import { ChevronDown, Cloud, HardDrive, Lock, Server, Settings2 } from 'lucide-react';
import { useStore } from 'zustand';
import type { ConnectionKind } from '../../../shared/connection';
import { useWorkspace } from '../app/workspace';
import { connectionsStore } from '../connections/connections-store';
import type { PaneStore, Side } from './pane-store';

export function KindBadge({ kind, tls }: { kind: ConnectionKind; tls?: string }): React.JSX.Element {
  const Icon = kind === 'local' ? HardDrive : kind === 's3' || kind === 'azure-blob' ? Cloud : Server;
  const label = { local: 'Local', ftp: 'FTP', ftps: 'FTPS', s3: 'S3', 'azure-blob': 'Azure' }[kind];
  return (
    <span className={`kind-badge kind-${kind}`} aria-hidden>
      <Icon size={12} />
      {label}
      {kind === 'ftps' || tls === 'explicit' || tls === 'implicit' ? <Lock size={10} /> : null}
    </span>
  );
}

export function ConnectionPicker({ side, store }: { side: Side; store: PaneStore }): React.JSX.Element {
  const workspace = useWorkspace();
  const location = useStore(store, (state) => state.location);
  const connections = useStore(connectionsStore, (state) => state.connections);
  return (
    <Menu.Root>
      <Menu.Trigger asChild>
        <button type="button" className="connection-picker" aria-label="Connection">
          {location ? <KindBadge kind={location.spec.kind} /> : null}
          <span className="picker-title">{location?.title ?? 'Choose a connection'}</span>
          <ChevronDown size={13} aria-hidden />
        </button>
      </Menu.Trigger>
      <Menu.Portal>
        <Menu.Content className="menu" align="start" sideOffset={4}>
          <Menu.Item className="menu-item" onSelect={() => void workspace.openLocal(side)}>
            <KindBadge kind="local" /> Local disk
          </Menu.Item>
          {connections.length > 0 && <Menu.Separator className="menu-separator" />}
          {connections.map((connection) => (
            <Menu.Item
              key={connection.id}
              className="menu-item"
              onSelect={() => void workspace.openSaved(side, connection.id)}
            >
              <KindBadge kind={connection.kind} />
              <span className="menu-label">{connection.name}</span>
              <span className="menu-hint">{connection.address}</span>
            </Menu.Item>
          ))}
          <Menu.Separator className="menu-separator" />
          <Menu.Item className="menu-item" onSelect={() => workspace.manageConnections()}>
            <Settings2 size={13} aria-hidden /> Manage connections…
          </Menu.Item>
        </Menu.Content>
      </Menu.Portal>
    </Menu.Root>
  );
}

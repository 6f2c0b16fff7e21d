// An entry's properties, as the site reports them (browse.stat; the listing's entry shows until it answers):
// name, where it is, kind, exact size, modification time to the second with the zone, storage class or access
// tier (and whether it is archived), and the hashes the site keeps for it.
import * as Dialog from '@radix-ui/react-dialog';
import { Loader2, TriangleAlert } from 'lucide-react';
import { useEffect, useState } from 'react';
import { addressOf } from '../../../shared/locations';
import { joinPath } from '../../../shared/paths';
import type { Entry, HashAlgorithm } from '../../../shared/provider';
import { useWorkspace } from '../app/workspace';
import { errorText } from '../common/error-text';
import { kindOf } from '../common/file-kind';
import { formatFullDate, formatSize } from '../common/format';
import { copyAddresses } from './clipboard';
import type { PaneLocation } from './pane-store';

const HASH_LABELS: Record<HashAlgorithm, string> = { md5: 'MD5', sha1: 'SHA-1', sha256: 'SHA-256', crc32c: 'CRC32C' };

export function PropertiesDialog({
  location,
  entry: listed,
  onClose,
}: {
  location: PaneLocation;
  entry: Entry;
  onClose: () => void;
}): React.JSX.Element {
  const { api } = useWorkspace();
  const [entry, setEntry] = useState(listed);
  const [state, setState] = useState<{ loading: boolean; error?: string }>({ loading: true });
  const path = joinPath(location.path, listed.name);
  const address = addressOf(location.spec, path);

  useEffect(() => {
    let live = true;
    api.browse.stat({ location: { connection: location.connection, path } }).then(
      (stat) => {
        if (!live) return;
        setEntry(stat);
        setState({ loading: false });
      },
      (error: unknown) => live && setState({ loading: false, error: errorText(error) }),
    );
    return () => {
      live = false;
    };
  }, [api, location.connection, path]);

  const classLabel = location.spec.kind === 'azure-blob' ? 'Access tier' : 'Storage class';
  const rows: Array<[string, React.ReactNode, string?]> = [
    ['Kind', entry.type === 'folder' ? 'Folder' : `${kindOf(entry).label} file${entry.symlink ? ' (a link)' : ''}`],
    ['Where', address, 'mono'],
  ];
  if (entry.type !== 'folder')
    rows.push([
      'Size',
      entry.size === undefined ? 'Not reported' : `${formatSize(entry.size)} (${entry.size.toLocaleString()} bytes)`,
    ]);
  rows.push(['Modified', formatFullDate(entry.modified) ?? 'Not reported']);
  if (entry.storageClass || location.spec.kind === 's3' || location.spec.kind === 'azure-blob')
    rows.push([classLabel, entry.storageClass ?? 'Default']);
  if (entry.unavailable) rows.push(['Availability', entry.unavailable]);
  for (const [algorithm, hex] of Object.entries(entry.hashes ?? {}) as Array<[HashAlgorithm, string]>)
    rows.push([HASH_LABELS[algorithm], hex, 'mono']);

  return (
    <Dialog.Root open onOpenChange={(open) => !open && onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog wide properties" onCloseAutoFocus={(event) => event.preventDefault()}>
          <Dialog.Title className="dialog-title">Properties of {entry.name}</Dialog.Title>
          <Dialog.Description className="sr-only">
            What {location.title} reports about {entry.name}.
          </Dialog.Description>
          <dl className="properties-list">
            {rows.map(([label, value, className]) => (
              <div key={label}>
                <dt>{label}</dt>
                <dd className={className}>{value}</dd>
              </div>
            ))}
          </dl>
          <div className="properties-state" role="status" aria-live="polite">
            {state.loading && (
              <>
                <Loader2 size={13} className="spinning" aria-hidden /> Asking {location.title}…
              </>
            )}
            {state.error && (
              <span className="warning">
                <TriangleAlert size={13} aria-hidden /> These are the listing's details: {state.error}
              </span>
            )}
          </div>
          <div className="dialog-buttons">
            <button type="button" onClick={() => copyAddresses([address])}>
              Copy address
            </button>
            <Dialog.Close asChild>
              <button type="button" className="primary" autoFocus>
                Close
              </button>
            </Dialog.Close>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

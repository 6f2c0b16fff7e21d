// The history view's footer on replication: this device, and whether the history follows the person to their
// other devices — off (with how to turn it on), up to date, uploading, offline or failing (with the reason).
import { Cloud, CloudOff, CloudUpload, Laptop } from 'lucide-react';
import type { HistoryStatus } from '../../../shared/history';
import { formatFullDate, plural } from '../common/format';

export function ReplicationFooter({ status }: { status: HistoryStatus }): React.JSX.Element {
  const { replication, device } = status;
  const pending = replication.pending > 0 ? `, ${plural(replication.pending, 'record')} to upload` : '';
  let icon = <CloudOff size={13} aria-hidden />;
  let text: string;
  switch (replication.state) {
    case 'off':
      text =
        'Kept on this device only. To see it on your other devices, connect a Cosmos DB account: fileferry history remote set';
      break;
    case 'idle':
      icon = <Cloud size={13} aria-hidden />;
      text = `Synced with ${replication.endpoint ?? 'your account'}${replication.lastSuccess ? ` at ${formatFullDate(replication.lastSuccess)}` : ''}${pending}`;
      break;
    case 'pushing':
      icon = <CloudUpload size={13} aria-hidden />;
      text = `Syncing with ${replication.endpoint ?? 'your account'}${pending}`;
      break;
    case 'offline':
      text = `Offline: ${replication.endpoint ?? 'the account'} cannot be reached; retrying${pending}`;
      break;
    case 'error':
      text = `Sync failed: ${replication.lastError?.message ?? 'the account refused'}${pending}`;
      break;
  }
  return (
    <span className="history-replication" role="status" aria-label="Replication">
      <span className="history-device" title={device.id}>
        <Laptop size={13} aria-hidden /> {device.name}
      </span>
      {icon} {text}
    </span>
  );
}

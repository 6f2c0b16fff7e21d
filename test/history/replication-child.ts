// A replicator in a process of its own, for replication.test.ts to kill with SIGKILL mid-drain and start
// again: it opens the data folder's history (argv[2]) as the app would and runs one cycle. The key comes from
// FILEFERRY_SECRET (no keychain in this process); the settings, with the test's CA, from the data folder.
import { SessionCredentialStore } from '../../main/core/credentials';
import { HistoryStore, readDevice } from '../../main/core/history';
import { openReplicator } from '../../main/core/history/replication';

const dataDir = process.argv[2]!;
const { store } = await HistoryStore.open(dataDir);
const device = await readDevice(dataDir);
const replicator = await openReplicator(
  { dataDir, store, device, credentials: new SessionCredentialStore('a test child') },
  { fallbackKey: process.env.FILEFERRY_SECRET!, replicator: { batchSize: 10, concurrency: 2 } },
);
if (!replicator) throw new Error('no account is connected in ' + dataDir);
try {
  const { pushed, pulled } = await replicator.sync();
  process.stdout.write(`pushed ${pushed} pulled ${pulled}\n`);
} finally {
  await replicator.close();
  store.close();
}

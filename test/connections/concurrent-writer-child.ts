// Run by concurrent.test.ts, several at once on one data folder: waits for the go signal on stdin (so all
// start together), then saves COUNT connections named "<PREFIX> n" one after another.
import { ConnectionStore } from '../../main/core/connections';
import { SessionCredentialStore } from '../../main/core/credentials';

const dataDir = process.env.FERRY_DATA_DIR!;
const prefix = process.env.FERRY_PREFIX!;
const count = Number(process.env.FERRY_COUNT);
for await (const _ of process.stdin) break;
const store = new ConnectionStore({ dataDir, credentials: new SessionCredentialStore('concurrent') });
for (let n = 0; n < count; n++) {
  await store.create({ name: `${prefix} ${n}`, spec: { kind: 'ftp', host: `${prefix}.example.test`, user: 'u' } });
}
process.stdout.write('done\n');

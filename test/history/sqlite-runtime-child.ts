// Run by node-sqlite.test.ts under another Node (22, Electron's major): a local copy through the real engine
// with the history on, in FOLDER's data folder, then what the history holds. Prints one JSON line.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLogger } from '../../main/core/log/logger';
import { openHistory } from '../../main/core/history';
import { openProvider } from '../../main/core/providers';
import { TransferEngine } from '../../main/core/transfers';

const [folder = '', label = ''] = process.argv.slice(2);
const data = join(folder, 'data');
const source = join(folder, `source-${label}`);
await mkdir(source, { recursive: true });
for (const name of ['a.txt', 'b.txt']) await writeFile(join(source, name), `${label} ${name}\n`);

const log = createLogger({ test: 'sqlite-runtime' });
const history = await openHistory(data, `test-${label}`, log);
const engine = await TransferEngine.open({
  dataDir: data,
  openConnection: (ref) => {
    if (!('spec' in ref)) throw new Error('no saved connections here');
    return openProvider(ref.spec, { secrets: async () => undefined });
  },
  history: history.options,
  log,
});
const local = { spec: { kind: 'local' as const } };
const job = engine.add({
  source: { connection: local, path: source },
  target: { connection: local, path: join(folder, `target-${label}`) },
  recursive: true,
});
const final = await engine.waitFor(job.id);
await engine.close();
const records = [...history.store.all()].map((record) => ({
  source: record.source,
  result: record.result,
  appVersion: record.appVersion,
}));
process.stdout.write(`${JSON.stringify({ driver: history.store.driver, state: final.state, records })}\n`);
history.close();

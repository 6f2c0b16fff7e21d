// Run by queue-durability.test.ts: an engine copying a folder local → local with the "rename" policy into a
// folder that already holds every name, so each copy goes to "NAME (1)". Prints "done N" as files finish, so
// the test can kill it (SIGKILL: nothing flushed, nothing closed) in the middle; FERRY_JOB_ID resumes that job
// instead of adding one.
import { TransferEngine } from '../../main/core/transfers';
import { opener } from './fixtures';

const dataDir = process.env.FERRY_DATA_DIR!;
const source = process.env.FERRY_SOURCE_DIR!;
const target = process.env.FERRY_TARGET_DIR!;

const engine = await TransferEngine.open({ dataDir, openConnection: opener(), perSiteConcurrency: 4 });
let done = 0;
engine.on((event) => {
  if (event.type !== 'files') return;
  done += event.changes.filter((change) => change.state === 'done').length;
  process.stdout.write(`done ${done}\n`);
});
let jobId = process.env.FERRY_JOB_ID;
if (jobId) engine.resume(jobId);
else {
  jobId = engine.add({
    source: { connection: { spec: { kind: 'local', root: source } }, path: '/' },
    target: { connection: { spec: { kind: 'local', root: target } }, path: '/' },
    recursive: true,
    overwrite: 'rename',
  }).id;
  process.stdout.write(`job ${jobId}\n`);
}
const final = await engine.waitFor(jobId);
process.stdout.write(`finished ${final.state} ${final.filesDone}\n`);
await engine.close();

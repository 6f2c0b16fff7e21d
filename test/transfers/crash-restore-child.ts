// Run by crash-restore.test.ts: an engine that downloads one file from FTP and is killed (SIGKILL) by the
// test mid-way, with no chance to close or save anything. Prints "started <job id>" once the queue on disk
// records a partial copy of over a quarter of the file.
import { ftpSpecSchema } from '../../shared/connection';
import { createLogger } from '../../main/core/log/logger';
import { openLocalProvider } from '../../main/core/providers/local';
import { openFtpProvider } from '../../main/core/providers/ftp';
import { TransferEngine } from '../../main/core/transfers';
import { storedQueue } from '../helpers/stored-queue';

const dataDir = process.env.FERRY_DATA_DIR!;
const target = process.env.FERRY_TARGET_DIR!;
const spec = ftpSpecSchema.parse(JSON.parse(process.env.FERRY_FTP_SPEC!));
const size = Number(process.env.FERRY_SIZE);
const log = createLogger();

const engine = await TransferEngine.open({
  dataDir,
  openConnection: async (ref) => {
    if ('savedId' in ref) throw new Error('unexpected saved id');
    if (ref.spec.kind === 'local') return openLocalProvider(ref.spec, { secrets: async () => undefined, log });
    return openFtpProvider(spec, { secrets: async () => process.env.FERRY_FTP_PASSWORD, log });
  },
});
const job = engine.add({
  source: { connection: { spec }, path: '/crash.bin' },
  target: { connection: { spec: { kind: 'local', root: target } }, path: '/crash.bin' },
});
const savedPartial = (): boolean => {
  // The engine's first save of the file's progress may not have happened yet.
  const file = storedQueue(dataDir)[0]?.files[0];
  return file?.partial === true && file.bytesDone > size / 4;
};
const timer = setInterval(() => {
  if (savedPartial()) {
    clearInterval(timer);
    process.stdout.write(`started ${job.id}\n`);
  }
}, 20);
await engine.waitFor(job.id);
process.stdout.write('finished before the kill\n');

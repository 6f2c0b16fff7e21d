// What the engine holds must come back on every path (issue 21): a source opened for a file whose target
// refuses the write before reading a byte is closed (open file descriptors counted in /proc/self/fd, and an
// FTP source's pooled connections), and pause or close never wait on a connection that is still being opened
// to a server that accepts and never answers.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { ftpSpecSchema } from '../../shared/connection';
import { FerryError } from '../../shared/errors';
import { startFtpServer, type FtpServerHandle } from '../helpers/ftp-server';
import { until } from '../helpers/until';
import {
  fileChanges,
  localOrFtpOpener,
  localRef,
  openEngine,
  openLocal,
  removeDirs,
  tempDir,
  wrapProvider,
} from './fixtures';
import { TransferEngine } from '../../main/core/transfers';

const openDescriptors = async (): Promise<number> => (await readdir('/proc/self/fd')).length;

/** A local target that refuses every upload at once, before it reads a byte (a folder that refuses uploads). */
async function refusingTarget(root: string) {
  const inner = await openLocal(root);
  return wrapProvider(inner, {
    async write() {
      throw new FerryError('PermissionDenied', 'This folder takes no uploads.');
    },
  });
}

describe('sources are closed when the target refuses before reading', () => {
  const dirs: string[] = [];
  let server: FtpServerHandle;
  before(async () => {
    server = await startFtpServer();
  });
  after(async () => {
    await server?.stop();
    await removeDirs(...dirs);
  });

  it('2,000 local files into a folder that refuses uploads: no file descriptor is left open', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    for (let i = 0; i < 2000; i++) await writeFile(join(src, `f${i}.txt`), `file ${i}\n`);
    const { engine, events } = await openEngine(data, { refusing: () => refusingTarget(dst) }, { retries: 0 });
    const before = await openDescriptors();
    const job = engine.add({
      source: { connection: localRef(src), path: '/' },
      target: { connection: { savedId: 'refusing' }, path: '/' },
      recursive: true,
    });
    const done = await engine.waitFor(job.id);
    const afterJob = await openDescriptors();
    await engine.close();
    assert.equal(done.filesFailed, 2000);
    assert.ok(
      fileChanges(events).every((change) => /takes no uploads/.test(change.error?.message ?? '')),
      'every file failed with the refusal, none with a resource error',
    );
    // A few descriptors come and go with the store and the event loop; a leak would be 2,000.
    assert.ok(afterJob - before < 20, `open descriptors went from ${before} to ${afterJob}`);
  });

  it('an FTP source keeps no connection busy for a file whose target refused it', async () => {
    const [dst, data] = [await tempDir(), await tempDir()];
    dirs.push(dst, data);
    for (let i = 0; i < 60; i++) await writeFile(join(server.root, `r${i}.txt`), `remote ${i}\n`);
    const spec = ftpSpecSchema.parse(server.spec({ maxConnections: 2 }));
    const refusing = await refusingTarget(dst);
    const engine = await TransferEngine.open({
      dataDir: data,
      retries: 0,
      openConnection: async (ref) => ('savedId' in ref ? refusing : localOrFtpOpener(() => server.password)(ref)),
    });
    const events: Parameters<Parameters<typeof engine.on>[0]>[0][] = [];
    engine.on((event) => events.push(event));
    const job = engine.add({
      source: { connection: { spec }, path: '/' },
      target: { connection: { savedId: 'refusing' }, path: '/' },
      recursive: true,
    });
    const done = await Promise.race([
      engine.waitFor(job.id),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('the job hung: a connection leaked')), 30_000),
      ),
    ]);
    await engine.close();
    assert.equal(done.filesFailed, 60);
    assert.ok(fileChanges(events).every((change) => /takes no uploads/.test(change.error?.message ?? '')));
    assert.ok(server.openConnections <= 2, `${server.openConnections} connections open`);
  });
});

describe('a server that accepts and never answers', () => {
  let server: Server;
  const sockets = new Set<Socket>();
  let port = 0;
  const dirs: string[] = [];
  before(async () => {
    server = createServer((socket) => {
      // Reads (and ignores) what comes, so that it notices when the client hangs up; it never answers.
      socket.resume();
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
    await removeDirs(...dirs);
  });

  async function stuckJob() {
    const [dst, data] = [await tempDir(), await tempDir()];
    dirs.push(dst, data);
    // A generous idle timeout, as a real connection has: only the cancel may end the wait.
    const spec = ftpSpecSchema.parse({ kind: 'ftp', host: '127.0.0.1', port, timeoutMs: 60_000 });
    const engine = await TransferEngine.open({ dataDir: data, openConnection: localOrFtpOpener(() => undefined) });
    const job = engine.add({
      source: { connection: { spec }, path: '/f.txt' },
      target: { connection: localRef(dst), path: '/f.txt' },
    });
    await until(() => sockets.size > 0, 5000, 'the connection was accepted');
    return { engine, job };
  }

  it('pause takes effect at once, without waiting for the connection', async () => {
    const { engine, job } = await stuckJob();
    const started = Date.now();
    engine.pause(job.id);
    await until(() => engine.get(job.id)?.state === 'paused', 5000, 'paused');
    const took = Date.now() - started;
    assert.ok(took < 1000, `pause took ${took} ms`);
    await engine.close();
  });

  it('close returns at once, abandoning the connection being opened', async () => {
    const { engine } = await stuckJob();
    const started = Date.now();
    await engine.close();
    const took = Date.now() - started;
    assert.ok(took < 1000, `close took ${took} ms`);
    await until(() => sockets.size === 0, 5000, 'the abandoned connection was closed');
  });
});

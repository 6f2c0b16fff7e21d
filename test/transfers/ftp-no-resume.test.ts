// A server that cannot continue a file (it answers REST and APPE with 502, as some do): a transfer cut
// half-way is not failed for it but sent again from the first byte, and ends byte-identical.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ftpSpecSchema, type ConnectionRef } from '../../shared/connection';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy';
import { startFtpServer, type FtpServerHandle } from '../helpers/ftp-server';
import { patternBytes, patternSha256 } from '../helpers/pattern';
import { localOrFtpOpener, localRef, removeDirs, runOneJob, sha256File, tempDir, treeOf } from './fixtures';

const MiB = 1024 * 1024;

describe('a server without REST and APPE', () => {
  let server: FtpServerHandle;
  let proxy: FaultProxy;
  let ftpRef: ConnectionRef;
  const dirs: string[] = [];

  before(async () => {
    server = await startFtpServer({ refuse: ['REST', 'APPE'] });
    proxy = await startFaultProxy({ host: server.host, port: server.port });
    ftpRef = { spec: ftpSpecSchema.parse(server.spec({ port: proxy.port, timeoutMs: 4000 })), secretsKey: 'ftp' };
  });
  after(async () => {
    await proxy?.stop();
    await server?.stop();
    await removeDirs(...dirs);
  });

  const openConnection = localOrFtpOpener(() => server.password);

  function runJob(source: [ConnectionRef, string], target: [ConnectionRef, string]) {
    const request = {
      source: { connection: source[0], path: source[1] },
      target: { connection: target[0], path: target[1] },
    };
    return runOneJob(openConnection, request, dirs, { retryBaseDelayMs: 20, retries: 3 });
  }

  it('a download cut at 50% is fetched again from the start after REST is refused', async () => {
    const size = 8 * MiB;
    await pipeline(Readable.from(patternBytes('no-rest', size)), createWriteStream(join(server.root, 'down.bin')));
    const dst = await tempDir();
    dirs.push(dst);
    proxy.clearFaults();
    proxy.failDataAfter(size / 2, { direction: 'download', times: 1 });
    const first = proxy.commands.length;

    const { done, warnings } = await runJob([ftpRef, '/down.bin'], [localRef(dst), '/down.bin']);

    assert.equal(done.state, 'completed', JSON.stringify(done.error));
    assert.equal(await sha256File(join(dst, 'down.bin')), await patternSha256('no-rest', size));
    const sent = proxy.commands.slice(first).filter((c) => /^(REST|RETR) /.test(c));
    assert.deepEqual(
      sent.map((c) => c.split(' ')[0]),
      ['RETR', 'REST', 'RETR'],
      'the refused REST is followed by a whole RETR',
    );
    assert.ok(
      warnings.some((w) => /does not support.*retrying from the start/.test(w)),
      warnings.join('\n'),
    );
    assert.deepEqual(await treeOf(dst), ['down.bin'], 'no temporary left');
  });

  it('an upload cut half-way is sent again with STOR after APPE is refused', async () => {
    const size = 8 * MiB;
    const src = await tempDir();
    dirs.push(src);
    await pipeline(Readable.from(patternBytes('no-appe', size)), createWriteStream(join(src, 'up.bin')));
    proxy.clearFaults();
    // 'close': the server keeps the partial, so the engine does try to continue it.
    proxy.failDataAfter(size / 2, { direction: 'upload', times: 1, mode: 'close' });
    const first = proxy.commands.length;

    const { done } = await runJob([localRef(src), '/up.bin'], [ftpRef, '/up.bin']);

    assert.equal(done.state, 'completed', JSON.stringify(done.error));
    assert.equal(await sha256File(join(server.root, 'up.bin')), await patternSha256('no-appe', size));
    const sent = proxy.commands.slice(first).filter((c) => /^(STOR|APPE) /.test(c));
    assert.deepEqual(
      sent.map((c) => c.split(' ')[0]),
      ['STOR', 'APPE', 'STOR'],
    );
    assert.deepEqual(await treeOf(server.root), ['up.bin', 'down.bin'].sort(), 'no temporary left on the server');
  });
});

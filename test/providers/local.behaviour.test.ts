import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FerryError } from '../../shared/errors';
import type { Provider } from '../../shared/provider';
import { openProvider } from '../../main/core/providers';
import { collect, patternBytes, patternSha256 } from '../helpers/pattern';

describe('local provider: special files', () => {
  let folder: string;
  let provider: Provider;
  before(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'ff-local-special-'));
    provider = await openProvider({ kind: 'local', root: folder });
  });
  after(() => rm(folder, { recursive: true, force: true }));

  it('refuses to read a FIFO or a socket instead of hanging, and lists them', async () => {
    execFileSync('mkfifo', [path.join(folder, 'pipe')]);
    const server = createServer().listen(path.join(folder, 'sock'));
    await new Promise((resolve) => server.once('listening', resolve));
    await writeFile(path.join(folder, 'plain.txt'), 'x');
    try {
      const names: string[] = [];
      for await (const page of provider.list('/')) names.push(...page.map((e) => e.name));
      assert.deepEqual(names.sort(), ['pipe', 'plain.txt', 'sock']);
      for (const name of ['/pipe', '/sock']) {
        await assert.rejects(
          provider.read(name),
          (e: unknown) => e instanceof FerryError && e.code === 'InvalidInput' && /special file/.test(e.message),
        );
      }
    } finally {
      server.close();
    }
  });
});

describe('local provider: reads into reused buffers (reuseChunks)', () => {
  const SIZE = 9 * 1024 * 1024 + 123;
  let folder: string;
  let provider: Provider;
  let expected: string;
  before(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'ff-local-reuse-'));
    provider = await openProvider({ kind: 'local', root: folder });
    await provider.write('/data.bin', patternBytes('local-reuse', SIZE));
    await writeFile(path.join(folder, 'empty.bin'), '');
    expected = await patternSha256('local-reuse', SIZE);
  });
  after(() => rm(folder, { recursive: true, force: true }));

  /** Hashes each chunk before asking for the next (as a releasing target does), sometimes slowly. */
  async function consume(stream: AsyncIterable<Uint8Array>) {
    const hash = createHash('sha256');
    const buffers = new Set<ArrayBufferLike>();
    let bytes = 0;
    for await (const chunk of stream) {
      hash.update(chunk);
      buffers.add(chunk.buffer);
      bytes += chunk.byteLength;
      if (buffers.size % 3 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const bufferBytes = [...buffers].map((buffer) => buffer.byteLength);
    return { sha256: hash.digest('hex'), bytes, buffers: buffers.size, bufferBytes };
  }

  it('delivers every byte from at most four buffers, whole or by range', async () => {
    const whole = await consume(await provider.read('/data.bin', { reuseChunks: true }));
    assert.equal(whole.bytes, SIZE);
    assert.equal(whole.sha256, expected);
    assert.ok(whole.buffers <= 4, `chunks came from ${whole.buffers} buffers`);

    const offset = 3 * 1024 * 1024 - 5;
    const length = 4 * 1024 * 1024 + 9;
    const range = await consume(await provider.read('/data.bin', { reuseChunks: true, offset, length }));
    assert.equal(range.bytes, length);
    assert.equal(range.sha256, await patternSha256('local-reuse', length, offset));

    assert.equal((await consume(await provider.read('/empty.bin', { reuseChunks: true }))).bytes, 0);
  });

  it('reads a small file in one buffer no larger than the file', async () => {
    const size = 16 * 1024;
    await provider.write('/small.bin', patternBytes('local-small', size));
    const small = await consume(await provider.read('/small.bin', { reuseChunks: true }));
    assert.equal(small.sha256, await patternSha256('local-small', size));
    // One byte more than the file: the read that shows where it ends. Reading ahead blindly took 1 MiB ones.
    assert.deepEqual(small.bufferBytes, [size + 1]);
  });

  it('goes on reading a file that grew after it was opened', async () => {
    const first = await collect(patternBytes('local-grow', 5000));
    const more = await collect(patternBytes('local-grow-more', 3 * 1024 * 1024));
    await writeFile(path.join(folder, 'grow.bin'), first);
    const stream = await provider.read('/grow.bin', { reuseChunks: true });
    await appendFile(path.join(folder, 'grow.bin'), more);
    const grown = await consume(stream);
    assert.equal(grown.bytes, first.byteLength + more.byteLength);
    assert.equal(grown.sha256, createHash('sha256').update(first).update(more).digest('hex'));
  });

  it('closes the file when the consumer stops early', async () => {
    const openFiles = () => readdirSync('/proc/self/fd').length;
    const before = openFiles();
    for (let i = 0; i < 5; i++) {
      for await (const chunk of await provider.read('/data.bin', { reuseChunks: true })) {
        assert.ok(chunk.byteLength > 0);
        break;
      }
    }
    assert.equal(openFiles(), before);
  });
});

describe('local provider: a name longer than the file system allows', () => {
  const LONG = `/${'n'.repeat(300)}.txt`;
  let folder: string;
  let provider: Provider;
  before(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'ff-local-long-'));
    provider = await openProvider({ kind: 'local', root: folder });
    await writeFile(path.join(folder, 'short.txt'), 'short');
  });
  after(() => rm(folder, { recursive: true, force: true }));

  // InvalidInput, not a retried Protocol error: the same name fails the same way every time.
  const tooLong = (e: unknown) =>
    e instanceof FerryError && e.code === 'InvalidInput' && e.message.includes(`${LONG} is too long`);

  it('fails writing, stating or renaming to it with InvalidInput naming that name', async () => {
    await assert.rejects(provider.write(LONG, patternBytes('long', 10)), tooLong);
    await assert.rejects(provider.stat(LONG), tooLong);
    await assert.rejects(provider.rename('/short.txt', LONG), tooLong);
    assert.deepEqual(readdirSync(folder), ['short.txt'], 'nothing written, nothing renamed');
  });
});

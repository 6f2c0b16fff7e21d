// Verification after each file: a target that stores one wrong byte fails the file with Integrity and
// leaves nothing under the final name nor a temporary; a short target is retried, then fails on size; a stale partial is restarted.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WriteOptions } from '../../shared/provider';
import {
  localRef,
  openEngine,
  openLocal,
  removeDirs,
  sha256File,
  tempDir,
  treeOf,
  wrapProvider,
  writeRandomFile,
} from './fixtures';

describe('verification (local → local)', () => {
  const dirs: string[] = [];
  after(() => removeDirs(...dirs));

  it('a corrupted byte fails the file with Integrity and leaves nothing on the target', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    await writeRandomFile(join(src, 'x.bin'), 500_000);
    const inner = await openLocal(dst);
    let writes = 0;
    const corrupting = wrapProvider(inner, {
      async write(path: string, source: AsyncIterable<Uint8Array>, options?: WriteOptions) {
        writes++;
        let flipped = false;
        const bent = (async function* () {
          for await (const chunk of source) {
            if (!flipped && chunk.byteLength > 10) {
              const copy = Buffer.from(chunk);
              copy[7] = copy[7]! ^ 0xff;
              flipped = true;
              yield copy;
            } else yield chunk;
          }
        })();
        return inner.write(path, bent, options);
      },
    });
    const { engine } = await openEngine(data, { corrupting: async () => corrupting });
    const job = engine.add({
      source: { connection: localRef(src), path: '/x.bin' },
      target: { connection: { savedId: 'corrupting' }, path: '/x.bin' },
    });
    const done = await engine.waitFor(job.id);
    await engine.close();
    assert.equal(done.state, 'failed');
    assert.equal(done.error?.code, 'Integrity');
    assert.match(done.error?.message ?? '', /sha256/);
    assert.equal(writes, 1, 'an integrity failure of a fresh copy is not retried');
    assert.deepEqual(await treeOf(dst), []);
  });

  it('a target that keeps fewer bytes than sent is retried, then fails with the attempt count', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    await writeRandomFile(join(src, 'y.bin'), 100_000);
    const inner = await openLocal(dst);
    let writes = 0;
    const truncating = wrapProvider(inner, {
      async write(path: string, source: AsyncIterable<Uint8Array>, options?: WriteOptions) {
        writes++;
        // Swallows the last byte but claims success, like a server that stored a short file.
        const short = (async function* () {
          let held: Uint8Array | undefined;
          for await (const chunk of source) {
            if (held) yield held;
            held = chunk;
          }
          if (held && held.byteLength > 1) yield held.subarray(0, held.byteLength - 1);
        })();
        return inner.write(path, short, { ...options, offset: undefined });
      },
    });
    const { engine } = await openEngine(data, { truncating: async () => truncating }, { retries: 2 });
    const job = engine.add({
      source: { connection: localRef(src), path: '/y.bin' },
      target: { connection: { savedId: 'truncating' }, path: '/y.bin' },
    });
    const done = await engine.waitFor(job.id);
    await engine.close();
    assert.equal(done.state, 'failed');
    assert.equal(done.error?.code, 'Integrity');
    assert.match(done.error?.message ?? '', /holds 99999 of 100000 bytes of .*cut short/);
    assert.equal(writes, 3);
    assert.match(done.error?.message ?? '', /3 attempts/);
    assert.deepEqual(await treeOf(dst), []);
  });

  it('a target that keeps more bytes than sent fails with Integrity at once', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    await writeRandomFile(join(src, 'long.bin'), 50_000);
    const inner = await openLocal(dst);
    let writes = 0;
    const padding = wrapProvider(inner, {
      async write(path: string, source: AsyncIterable<Uint8Array>, options?: WriteOptions) {
        writes++;
        // Stores one byte more than it was sent, like a server that appended to a stale file.
        const longer = (async function* () {
          yield* source;
          yield Buffer.from([0]);
        })();
        return inner.write(path, longer, { ...options, size: undefined });
      },
    });
    const { engine } = await openEngine(data, { padding: async () => padding }, { retries: 2 });
    const job = engine.add({
      source: { connection: localRef(src), path: '/long.bin' },
      target: { connection: { savedId: 'padding' }, path: '/long.bin' },
    });
    const done = await engine.waitFor(job.id);
    await engine.close();
    assert.equal(done.state, 'failed');
    assert.equal(done.error?.code, 'Integrity');
    assert.match(done.error?.message ?? '', /holds 50001 bytes of .* but 50000 were sent/);
    assert.equal(writes, 1, 'not retried');
    assert.deepEqual(await treeOf(dst), []);
  });

  it('a resumed copy that fails verification starts once more from byte 0', async () => {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    const bytes = await writeRandomFile(join(src, 'z.bin'), 300_000);
    // A stale temporary whose bytes are not a prefix of the source.
    const stale = Buffer.from(bytes.subarray(0, 100_000));
    stale[50] = stale[50]! ^ 0xff;
    await writeFile(join(dst, '.z.bin.ffpart'), stale);
    const { engine, events } = await openEngine(data);
    const job = engine.add({
      source: { connection: localRef(src), path: '/z.bin' },
      target: { connection: localRef(dst), path: '/z.bin' },
      overwrite: 'resume',
    });
    const done = await engine.waitFor(job.id);
    await engine.close();
    assert.equal(done.state, 'completed', JSON.stringify(done.error));
    assert.ok(events.some((e) => e.type === 'log' && /corrupt/.test(e.message)));
    assert.equal(await sha256File(join(dst, 'z.bin')), await sha256File(join(src, 'z.bin')));
    assert.deepEqual(await treeOf(dst), ['z.bin']);
  });
});

// FileFerry beside rclone (Debian's 1.60) on one Azurite (issue 19): a file's modification time survives in
// either direction in rclone's convention (metadata `mtime`, RFC 3339 with nanoseconds), and an upload FileFerry
// gives up on leaves no staged blocks behind, so that rclone's next upload to the name succeeds (rclone's block
// ids have another length than FileFerry's, and Azure refuses ids of two lengths under one name).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { BlockBlobClient, ContainerClient } from '@azure/storage-blob';
import type { AzureBlobProvider } from '../../main/core/providers/azure-blob';
import type { Entry, ResumeToken } from '../../shared/provider';
import { startAzurite, type AzuriteServer } from '../helpers/azurite';
import { openAzuriteContainer, uncommittedBlocks } from '../helpers/azurite-provider';
import { expectCode } from '../helpers/expect-error';
import { collect, patternBytes, patternSha256, sha256Of } from '../helpers/pattern';

const run = promisify(execFile);
const MiB = 1024 * 1024;
/** rclone 1.60 can hang on a name whose staged blocks have ids of another length: a hang is a failure. */
const RCLONE_TIMEOUT_MS = 30_000;

describe('azure-blob beside rclone: file times and an upload given up on', () => {
  let azurite: AzuriteServer;
  let provider: AzureBlobProvider;
  let container: ContainerClient;
  let scratch: string;

  before(async () => {
    await run('rclone', ['version'], { timeout: 10_000 }).catch((error: unknown) => {
      throw new Error(`rclone is needed for these tests: apt-get install rclone (${(error as Error).message})`);
    });
    scratch = await mkdtemp(join(tmpdir(), 'ferry-az-rclone-'));
    azurite = await startAzurite();
    ({ provider, container } = await openAzuriteContainer(azurite, 'azure-rclone'));
  });
  after(async () => {
    await provider?.close();
    await azurite?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  /** rclone with a remote "az:" on this Azurite, from environment variables and an empty config of its own. */
  async function rclone(...args: string[]): Promise<string> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      RCLONE_CONFIG: join(scratch, 'rclone.conf'),
      RCLONE_CONFIG_AZ_TYPE: 'azureblob',
      RCLONE_CONFIG_AZ_USE_EMULATOR: 'true',
      RCLONE_CONFIG_AZ_ENDPOINT: azurite.endpoint,
      TZ: 'UTC', // lsl prints local times
    };
    delete env.AWS_CA_BUNDLE;
    const { stdout } = await run('rclone', [...args, '--retries', '1', '--low-level-retries', '1'], {
      env,
      timeout: RCLONE_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    });
    return stdout;
  }

  async function localFile(name: string, content: string | Buffer, touchDate?: string): Promise<string> {
    const path = join(scratch, name);
    await writeFile(path, content);
    // touch takes nanoseconds, which Node's utimes cannot give.
    if (touchDate) await run('touch', ['-d', touchDate, path]);
    return path;
  }

  const blockBlob = (name: string): BlockBlobClient => container.getBlockBlobClient(name);

  it('shows the time of a blob rclone uploaded (its nanosecond mtime) in list() and stat()', async () => {
    const local = await localFile('from-rclone.txt', 'uploaded by rclone\n', '2021-02-03 03:05:06.123456789 UTC');
    await provider.mkdir('/rclone');
    await rclone('copyto', local, 'az:data/rclone/from-rclone.txt');
    const { metadata } = await blockBlob('rclone/from-rclone.txt').getProperties();
    assert.equal(metadata?.mtime, '2021-02-03T03:05:06.123456789Z', 'rclone wrote its mtime metadata');

    const expected = Date.UTC(2021, 1, 3, 3, 5, 6, 123);
    let listed: Entry | undefined;
    for await (const page of provider.list('/rclone'))
      listed ??= page.find((entry) => entry.name === 'from-rclone.txt');
    assert.equal(listed?.modified, expected, 'list() gives the file its own time');
    assert.equal((await provider.stat('/rclone/from-rclone.txt')).modified, expected, 'so does stat()');
  });

  it('writes the time it is given so that rclone lsl shows it, whole or in blocks', async () => {
    const modified = Date.UTC(2020, 5, 7, 8, 9, 10, 456);
    await provider.mkdir('/ferry');
    await provider.write('/ferry/small.bin', patternBytes('small', 1000), { size: 1000, modified });
    await provider.write('/ferry/blocks.bin', patternBytes('blocks', 3 * MiB + 5), { size: 3 * MiB + 5, modified });
    assert.equal((await blockBlob('ferry/blocks.bin').getProperties()).metadata?.mtime, '2020-06-07T08:09:10.456Z');

    const listing = await rclone('lsl', 'az:data/ferry');
    assert.match(listing, /^\s*1000 2020-06-07 08:09:10\.456000000 small\.bin$/m);
    assert.match(listing, new RegExp(`^\\s*${3 * MiB + 5} 2020-06-07 08:09:10\\.456000000 blocks\\.bin$`, 'm'));
    assert.equal((await provider.stat('/ferry/blocks.bin')).modified, modified);
  });

  /**
   * Cancels a write of `size` bytes once at least three of its 1 MiB blocks are staged, as the queue's Cancel
   * does, then discards its resume token, as the engine does for an upload it will not resume.
   */
  async function cancelMidUpload(path: string, seed: string, size: number): Promise<void> {
    const controller = new AbortController();
    const tokens: Array<ResumeToken | undefined> = [];
    const name = path.slice(1);
    async function* source(): AsyncGenerator<Uint8Array> {
      let sent = 0;
      for await (const chunk of patternBytes(seed, size)) {
        yield chunk;
        sent += chunk.length;
        if (sent >= 5 * MiB) {
          for (;;) {
            if ((await uncommittedBlocks(container, name)) >= 3) break;
            await new Promise((done) => setTimeout(done, 20));
          }
          controller.abort();
          return;
        }
      }
    }
    await expectCode(
      provider.write(path, source(), { size, signal: controller.signal, onResumeToken: (t) => tokens.push(t) }),
      'Cancelled',
    );
    const token = tokens[0];
    assert.ok(token, 'the upload reported its resume token');
    await provider.discardResume!(path, token);
  }

  it('leaves nothing after a cancelled upload where no blob was, and rclone can upload there', async () => {
    await provider.mkdir('/cancel');
    await cancelMidUpload('/cancel/new.bin', 'cancel-new', 12 * MiB);
    assert.equal(await uncommittedBlocks(container, 'cancel/new.bin'), 0, 'no staged blocks are left');
    assert.equal(await blockBlob('cancel/new.bin').exists(), false, 'and no blob');
    await expectCode(provider.stat('/cancel/new.bin'), 'NotFound');

    const local = await localFile('after-new.txt', 'rclone after a cancel\n');
    await rclone('copyto', local, 'az:data/cancel/new.bin');
    assert.equal((await collect(await provider.read('/cancel/new.bin'))).toString(), 'rclone after a cancel\n');
  });

  for (const [how, size] of [
    ['committed from blocks', 3 * MiB + 11],
    ['written in one Put Blob', 200_000],
  ] as const) {
    it(`keeps a blob ${how} byte-identical after a cancelled upload over it, and rclone can upload there`, async () => {
      const path = `/cancel/existing-${size}.bin`;
      const name = path.slice(1);
      const modified = Date.UTC(2019, 0, 2, 3, 4, 5, 678);
      await provider.write(path, patternBytes(`before-${size}`, size), { size, modified });
      const before = await blockBlob(name).getProperties();
      await blockBlob(name).setHTTPHeaders({ blobContentType: 'text/x-kept', blobContentMD5: before.contentMD5 });
      const kept = await blockBlob(name).getProperties();

      await cancelMidUpload(path, `cancel-over-${size}`, 12 * MiB);
      assert.equal(await uncommittedBlocks(container, name), 0, 'no staged blocks are left');
      assert.equal(await sha256Of(await provider.read(path)), await patternSha256(`before-${size}`, size));
      const after = await blockBlob(name).getProperties();
      assert.equal(after.contentLength, size);
      assert.equal(after.contentType, 'text/x-kept', 'its headers are kept');
      assert.deepEqual(Buffer.from(after.contentMD5 ?? []), Buffer.from(kept.contentMD5 ?? []));
      assert.deepEqual(after.metadata, kept.metadata, 'and its metadata');
      assert.equal((await provider.stat(path)).modified, modified, 'so its time too');

      const local = await localFile(`over-${size}.txt`, `rclone over ${how}\n`);
      await rclone('copyto', local, `az:data/${name}`);
      assert.equal((await collect(await provider.read(path))).toString(), `rclone over ${how}\n`);
    });
  }

  it('keeps the staged blocks of an upload it will resume', async () => {
    await provider.mkdir('/paused');
    const controller = new AbortController();
    const tokens: Array<ResumeToken | undefined> = [];
    async function* source(): AsyncGenerator<Uint8Array> {
      let sent = 0;
      for await (const chunk of patternBytes('paused', 8 * MiB)) {
        yield chunk;
        if ((sent += chunk.length) >= 4 * MiB) {
          while ((await uncommittedBlocks(container, 'paused/big.bin')) < 2)
            await new Promise((done) => setTimeout(done, 20));
          controller.abort();
          return;
        }
      }
    }
    await expectCode(
      provider.write('/paused/big.bin', source(), {
        size: 8 * MiB,
        signal: controller.signal,
        onResumeToken: (t) => tokens.push(t),
      }),
      'Cancelled',
    );
    // Paused, not given up on: no discardResume, and the blocks stay for the resume.
    const offset = await provider.resumeOffset!('/paused/big.bin', tokens[0]!);
    assert.ok(offset >= 2 * MiB, `the resume continues after the staged blocks (offset ${offset})`);
    await provider.write('/paused/big.bin', patternBytes('paused', 8 * MiB - offset, offset), {
      size: 8 * MiB,
      resumeToken: tokens[0]!,
      offset,
    });
    assert.equal(await sha256Of(await provider.read('/paused/big.bin')), await patternSha256('paused', 8 * MiB));
  });
});

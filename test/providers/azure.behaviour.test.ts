// Azure Blob behaviour beyond the conformance suite, against Azurite on loopback: resumable block uploads,
// atomic replacement, access tiers and archive, server-side copy, copy from a URL (through a proxy that
// plays the service's part Azurite lacks), the ways to authenticate, and typed errors.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  BlobServiceClient,
  ContainerSASPermissions,
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  StorageSharedKeyCredential,
  generateAccountSASQueryParameters,
  generateBlobSASQueryParameters,
} from '@azure/storage-blob';
import {
  openAzureBlobProvider,
  azureSpecFromEnvironment,
  type AzureBlobProvider,
} from '../../main/core/providers/azure-blob';
import { createLogger } from '../../main/core/log/logger';
import { azureSpecSchema, type AzureSpec, type SecretField } from '../../shared/connection';
import { FerryError } from '../../shared/errors';
import type { Entry, ResumeToken } from '../../shared/provider';
import { unavailableReason } from '../../main/core/providers/azure-blob/tiers';
import { startAzurite, freePort, type AzuriteServer } from '../helpers/azurite';
import { startFromUrlProxy, startPatternSource, type FromUrlProxy } from '../helpers/azurite-from-url-proxy';
import { collect, patternBytes, patternSha256, sha256Of } from '../helpers/pattern';
import { expectCode } from '../helpers/expect-error';
import { failingAfter } from '../helpers/failing-source';
import { until } from '../helpers/until';

const MiB = 1024 * 1024;
const log = createLogger({ test: 'azure-behaviour' });

async function listAll(provider: AzureBlobProvider, path: string): Promise<Entry[]> {
  const entries: Entry[] = [];
  for await (const page of provider.list(path)) entries.push(...page);
  return entries;
}

/** Yields `bytes` of the pattern, then fails as a dropped source would. */
/** Fails instead of hanging when `promise` has not settled within `ms`. */
async function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function md5Of(buffer: Buffer): string {
  return createHash('md5').update(buffer).digest('hex');
}

describe('azure-blob provider behaviour (Azurite)', () => {
  let azurite: AzuriteServer;
  let proxy: FromUrlProxy;
  const opened: AzureBlobProvider[] = [];

  async function open(
    input: Partial<AzureSpec> & Record<string, unknown>,
    secrets: Partial<Record<SecretField, string>>,
  ): Promise<AzureBlobProvider> {
    const spec = azureSpecSchema.parse({ kind: 'azure-blob', ...input });
    const provider = await openAzureBlobProvider(spec, { secrets: async (field) => secrets[field], log });
    opened.push(provider);
    return provider;
  }
  /** A provider through the from-URL proxy, with small blocks so the tests see several. */
  const viaProxy = (extra: Record<string, unknown> = {}) =>
    open(
      { auth: 'connection-string', container: 'data', blockSizeMiB: 4, uploadConcurrency: 4, ...extra },
      { connectionString: proxy.connectionString },
    );
  const direct = (extra: Record<string, unknown> = {}) =>
    open(
      { auth: 'connection-string', container: 'data', blockSizeMiB: 1, ...extra },
      { connectionString: azurite.connectionString },
    );

  before(async () => {
    azurite = await startAzurite();
    proxy = await startFromUrlProxy(azurite);
    await BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('data').create();
  });
  after(async () => {
    for (const provider of opened) await provider.close();
    await proxy?.stop();
    await azurite?.stop();
  });

  it('declares the capabilities of a block-blob store with folder markers', async () => {
    const provider = await direct();
    assert.deepEqual(
      { ...provider.capabilities, hashes: [...provider.capabilities.hashes] },
      {
        hashes: ['md5'],
        // The whole-blob MD5 set at commit comes back in WriteResult.hashes; FileFerry computed it from the
        // bytes it staged (the service does not check it), so the engine does not hash them again.
        reportedHashes: ['md5'],
        reportedHashesFromStream: true,
        // The file's own time, kept in rclone's `mtime` metadata, which listings include.
        modTimePrecisionMs: 1,
        listedModTime: 'exact',
        setModTime: true,
        resumableRead: true,
        resumableWrite: 'token',
        atomicWrite: true,
        maxConnections: 4,
        emptyFolders: true,
        folderMarkers: true,
        cheapRename: false,
        // Blocks are copied out of each chunk before the next is pulled: an FTP source may reuse its buffers.
        writeReleasesChunks: true,
        // Azure turns a backslash in a blob name into "/" (see nameProblem in shared/paths).
        nameRules: 'no-backslash',
      },
    );
  });

  it('puts a file smaller than one block in a single request, its MD5 checked in transit and stored', async () => {
    const provider = await viaProxy();
    const data = await collect(patternBytes('small-put', 100_000));
    const md5 = createHash('md5').update(data).digest();
    proxy.resetCounts();
    const written = await provider.write('/small-put.bin', patternBytes('small-put', 100_000), { size: data.length });
    assert.equal(proxy.counts.putBlob, 1);
    assert.equal(proxy.counts.putBlock, 0, 'no block staged, so no commit either');
    // Over plain HTTP the service checks the body against it, as it checks each block of a larger file.
    assert.deepEqual(proxy.counts.putBlobContentMd5, [md5.toString('base64')]);
    assert.equal(written.hashes?.md5, md5.toString('hex'));
    const blob = BlobServiceClient.fromConnectionString(azurite.connectionString)
      .getContainerClient('data')
      .getBlockBlobClient('small-put.bin');
    assert.equal(Buffer.from((await blob.getProperties()).contentMD5 ?? []).toString('hex'), md5.toString('hex'));
    assert.equal(await sha256Of(await provider.read('/small-put.bin')), await patternSha256('small-put', 100_000));

    // A source longer than it announced still arrives whole (and is refused for its size, not cut short).
    proxy.resetCounts();
    await expectCode(provider.write('/small-put.bin', patternBytes('longer', 5 * MiB), { size: 1000 }), 'Integrity');
    assert.equal(await sha256Of(await provider.read('/small-put.bin')), await patternSha256('small-put', 100_000));
  });

  it('resumes a 64 MiB upload interrupted at block 10, sending only the missing blocks', async () => {
    const provider = await viaProxy();
    const size = 64 * MiB;
    const path = '/resume/big.bin';
    await provider.mkdir('/resume');
    const tokens: Array<ResumeToken | undefined> = [];
    proxy.resetCounts();
    await assert.rejects(
      provider.write(path, failingAfter('big', size, 10 * 4 * MiB), { size, onResumeToken: (t) => tokens.push(t) }),
      /source dropped/,
    );
    const token = tokens[0];
    assert.ok(token, 'the resume token is reported when the upload starts');
    assert.deepEqual(Object.keys(token).sort(), ['blockSize', 'kind', 'tag']);
    assert.equal(token.blockSize, 4 * MiB);
    assert.equal(proxy.counts.putBlock, 10, 'the ten complete blocks were staged before the failure');
    await expectCode(provider.stat(path), 'NotFound'); // nothing committed

    const offset = await provider.resumeOffset!(path, token);
    assert.equal(offset, 10 * 4 * MiB);
    proxy.resetCounts();
    const result = await provider.write(path, patternBytes('big', size - offset, offset), {
      size,
      resumeToken: token,
      onResumeToken: (t) => tokens.push(t),
    });
    assert.equal(result.size, size);
    assert.equal(proxy.counts.putBlock, 6, 'only blocks 10..15 are sent again');
    assert.equal(proxy.counts.putBlockBytes, size - offset);
    assert.equal(tokens.at(-1), undefined, 'the token is cleared once committed');
    assert.equal(await sha256Of(await provider.read(path)), await patternSha256('big', size));
    // A stale token (nothing staged under its tag) resumes from 0.
    assert.equal(
      await provider.resumeOffset!(path, { kind: 'azure-blocks', tag: 'AAAAAAAAAAAAAAAA', blockSize: 4 * MiB }),
      0,
    );
    await provider.discardResume!(path, token); // nothing to abort server-side; must not throw
  });

  it('describes files, folders and missing keys among siblings that sort before the folder', async () => {
    const provider = await direct();
    await provider.mkdir('/probe/b');
    await provider.write('/probe/a', patternBytes('probe-a', 100), { size: 100 });
    // 20 siblings "b-…" sort between "b" and "b/": more than the stat probe's first page holds.
    for (let i = 0; i < 20; i++) await provider.write(`/probe/b-${String(i).padStart(2, '0')}`, patternBytes('x', 10));
    await provider.write('/probe/b/inner.bin', patternBytes('inner', 10));
    const file = await provider.stat('/probe/a');
    assert.equal(file.type, 'file');
    assert.equal(file.size, 100);
    assert.equal(file.hashes?.md5, md5Of(await collect(patternBytes('probe-a', 100))));
    assert.equal((await provider.stat('/probe/b')).type, 'folder');
    // A fresh provider has no folder cache: the probe itself must find the folder past the siblings.
    const fresh = await direct();
    assert.equal((await fresh.stat('/probe/b')).type, 'folder');
    assert.equal((await fresh.stat('/probe/b-07')).size, 10);
    await expectCode(fresh.stat('/probe/b-0'), 'NotFound');
    await expectCode(fresh.stat('/probe/missing'), 'NotFound');
    await expectCode(fresh.stat('/nowhere/missing'), 'NotFound');
  });

  it('stages blocks in parallel for unknown sizes and stores the whole-file MD5', async () => {
    const provider = await viaProxy();
    const size = 9 * MiB + 123;
    const bytes = await collect(patternBytes('md5', size));
    proxy.resetCounts();
    const result = await provider.write('/md5.bin', patternBytes('md5', size)); // size unknown
    assert.equal(proxy.counts.putBlock, 3);
    assert.equal(result.hashes?.md5, md5Of(bytes));
    const entry = await provider.stat('/md5.bin');
    assert.equal(entry.hashes?.md5, md5Of(bytes));
    assert.equal(await provider.hash!('/md5.bin', 'md5'), md5Of(bytes));
    const listed = (await listAll(provider, '/')).find((e) => e.name === 'md5.bin');
    assert.equal(listed?.hashes?.md5, md5Of(bytes));
  });

  it('keeps at most a few blocks in memory ahead of the network (bounded buffering)', async () => {
    const provider = await viaProxy({ uploadConcurrency: 2 });
    const size = 48 * MiB;
    let pulled = 0;
    let maxAhead = 0;
    const counted = (async function* () {
      for await (const chunk of patternBytes('bounded', size)) {
        pulled += chunk.length;
        maxAhead = Math.max(maxAhead, pulled - proxy.counts.putBlockBytes);
        yield chunk;
      }
    })();
    proxy.resetCounts();
    await provider.write('/bounded.bin', counted, { size });
    assert.equal(proxy.counts.putBlock, 12);
    // Ahead of the blocks the proxy has seen: one being filled, one waiting for a slot, and one whose request
    // has left the provider but not yet reached the proxy. Independent of the file's size.
    assert.ok(maxAhead <= 3 * 4 * MiB + 256 * 1024, `read ${(maxAhead / MiB).toFixed(1)} MiB ahead of the network`);
  });

  it('refuses a folder where a file is, and moves folders between containers', async () => {
    const provider = await open({ auth: 'connection-string' }, { connectionString: azurite.connectionString });
    await provider.mkdir('/data/movable/inner');
    await provider.write('/data/movable/inner/x.bin', patternBytes('mv', 5000), { size: 5000 });
    await expectCode(provider.mkdir('/data/movable/inner/x.bin'), 'AlreadyExists', /is a file/);
    await provider.mkdir('/other-container');
    await provider.rename('/data/movable', '/other-container/moved');
    await expectCode(provider.stat('/data/movable'), 'NotFound');
    assert.deepEqual(
      (await listAll(provider, '/other-container/moved')).map((e) => [e.name, e.type]),
      [['inner', 'folder']],
    );
    assert.equal(
      await sha256Of(await provider.read('/other-container/moved/inner/x.bin')),
      await patternSha256('mv', 5000),
    );
    await expectCode(
      provider.rename('/other-container/moved', '/other-container/moved/deeper'),
      'InvalidInput',
      /into itself/,
    );
  });

  it('leaves an existing blob byte-identical when an upload fails or is cancelled', async () => {
    const provider = await direct();
    await provider.write('/keep.bin', patternBytes('original', 3 * MiB + 1), { size: 3 * MiB + 1 });
    const before = await sha256Of(await provider.read('/keep.bin'));
    await assert.rejects(
      provider.write('/keep.bin', failingAfter('replacement', 6 * MiB, 4 * MiB + 7), { size: 6 * MiB }),
      /source dropped/,
    );
    assert.equal(await sha256Of(await provider.read('/keep.bin')), before);

    const controller = new AbortController();
    const cancelling = (async function* () {
      let sent = 0;
      for await (const chunk of patternBytes('replacement', 6 * MiB)) {
        yield chunk;
        sent += chunk.length;
        if (sent > 2 * MiB) controller.abort();
      }
    })();
    await expectCode(
      provider.write('/keep.bin', cancelling, { size: 6 * MiB, signal: controller.signal }),
      'Cancelled',
    );
    // A source shorter than announced is refused before the commit.
    await expectCode(provider.write('/keep.bin', patternBytes('short', 1000), { size: 2000 }), 'Integrity');
    assert.equal(await sha256Of(await provider.read('/keep.bin')), before);
    assert.equal((await provider.stat('/keep.bin')).size, 3 * MiB + 1);
  });

  it('sets access tiers on upload, from the spec, in place, and shows them in listings', async () => {
    const provider = await direct();
    await provider.mkdir('/tiers');
    await provider.write('/tiers/cool.bin', patternBytes('t', 10), { size: 10, storageClass: 'cool' });
    assert.equal((await provider.stat('/tiers/cool.bin')).storageClass, 'Cool');
    await provider.setStorageClass!('/tiers/cool.bin', 'Cold');
    assert.equal((await provider.stat('/tiers/cool.bin')).storageClass, 'Cold');
    const coolByDefault = await direct({ accessTier: 'Cool' });
    await coolByDefault.write('/tiers/default.bin', patternBytes('d', 10), { size: 10 });
    const listed = await listAll(provider, '/tiers');
    assert.deepEqual(listed.map((e) => [e.name, e.storageClass]).sort(), [
      ['cool.bin', 'Cold'],
      ['default.bin', 'Cool'],
    ]);
    await expectCode(
      provider.setStorageClass!('/tiers/cool.bin', 'Freezing'),
      'InvalidInput',
      /Hot, Cool, Cold, Archive/,
    );
  });

  it('marks archived blobs unavailable and refuses to read them with a clear message', async () => {
    const provider = await direct();
    await provider.write('/archived.bin', patternBytes('a', 100), { size: 100 });
    await provider.setStorageClass!('/archived.bin', 'Archive');
    const entry = await provider.stat('/archived.bin');
    assert.equal(entry.storageClass, 'Archive');
    assert.match(entry.unavailable ?? '', /Archive/i);
    const listed = (await listAll(provider, '/')).find((e) => e.name === 'archived.bin');
    assert.match(listed?.unavailable ?? '', /rehydrate/i);
    await expectCode(provider.read('/archived.bin'), 'Unsupported', /Archive.*rehydrat/i);
    // Azurite rehydrates at once, so the pending state is checked on the message alone.
    assert.match(unavailableReason('Archive', 'rehydrate-pending-to-hot') ?? '', /rehydrating to hot/);
    await provider.setStorageClass!('/archived.bin', 'Hot');
    assert.equal(await sha256Of(await provider.read('/archived.bin')), await patternSha256('a', 100));
  });

  it('shows a pending rehydration in stat and listings, and refuses the download before any byte', async () => {
    // Azurite rehydrates at once; the proxy reports what Azure does while a rehydration to Hot runs.
    const provider = await viaProxy();
    await provider.mkdir('/rehydrating');
    await provider.write('/rehydrating/cold.bin', patternBytes('r', 100), { size: 100 });
    await provider.setStorageClass!('/rehydrating/cold.bin', 'Archive');
    proxy.setBlobState('data', 'rehydrating/cold.bin', {
      accessTier: 'Archive',
      archiveStatus: 'rehydrate-pending-to-hot',
    });
    try {
      const entry = await provider.stat('/rehydrating/cold.bin');
      assert.equal(entry.storageClass, 'Archive');
      assert.match(entry.unavailable ?? '', /rehydrating to hot/);
      const listed = (await listAll(provider, '/rehydrating')).find((e) => e.name === 'cold.bin');
      assert.match(listed?.unavailable ?? '', /rehydrating to hot/);
      // read() itself fails, so no transfer starts a stream that breaks at its first byte.
      const refused = await expectCode(provider.read('/rehydrating/cold.bin'), 'Unsupported', /rehydrating to hot/);
      assert.equal(refused.details.archived, true);
    } finally {
      proxy.setBlobState('data', 'rehydrating/cold.bin', undefined);
    }
  });

  it('copies server-side', async () => {
    const provider = await direct();
    await provider.write('/copy-src.bin', patternBytes('copy', 2 * MiB + 9), { size: 2 * MiB + 9 });
    await provider.copy!('/copy-src.bin', '/copy-dst.bin');
    assert.equal(await sha256Of(await provider.read('/copy-dst.bin')), await patternSha256('copy', 2 * MiB + 9));
    assert.equal(
      (await provider.stat('/copy-dst.bin')).hashes?.md5,
      (await provider.stat('/copy-src.bin')).hashes?.md5,
    );
    await expectCode(provider.copy!('/no-such.bin', '/x.bin'), 'NotFound');
  });

  // Azurite finishes a Copy Blob at once; the proxy reports it pending for a few polls (500 ms apart), as
  // Azure does for a large or cross-account copy, then the outcome it is told to.
  it('waits through a pending server-side copy until the service reports success', async () => {
    const provider = await viaProxy();
    const size = 3 * MiB + 17;
    await provider.write('/slow-copy-src.bin', patternBytes('slow-copy', size), { size });
    proxy.resetCounts();
    proxy.scriptedCopy = { pendingPolls: 2, outcome: 'success' };
    const progress: number[] = [];
    try {
      await within(
        10_000,
        provider.copy!('/slow-copy-src.bin', '/slow-copy-dst.bin', { onProgress: (b) => progress.push(b) }),
      );
    } finally {
      proxy.scriptedCopy = undefined;
    }
    assert.equal(proxy.counts.scriptedCopies, 1, 'the copy was answered "pending"');
    // What each "pending" answer's x-ms-copy-progress said: a third, then two thirds.
    assert.deepEqual(progress, [Math.floor(size / 3), Math.floor((2 * size) / 3)]);
    assert.equal(proxy.counts.copyPolls, 3, 'polled through two "pending" answers to "success", and no further');
    assert.equal(await sha256Of(await provider.read('/slow-copy-dst.bin')), await patternSha256('slow-copy', size));
  });

  // What an unfinished copy leaves under the target's name (Azure: zero length; Azurite, through the proxy:
  // the whole blob, since it copied at once) is removed, so nothing passes for the file.
  it('rejects a server-side copy that ends failed or aborted, saying why, and removes what it left', async () => {
    const provider = await viaProxy();
    await provider.write('/doomed-src.bin', patternBytes('doomed', 1000), { size: 1000 });
    try {
      proxy.scriptedCopy = { pendingPolls: 2, outcome: 'failed', description: 'Copy failed when reading the source.' };
      const failed = await expectCode(
        within(10_000, provider.copy!('/doomed-src.bin', '/doomed-dst.bin')),
        'Protocol',
        /Copy failed when reading the source\..*removed; copy it again/,
      );
      assert.equal(failed.details.copyStatus, 'failed');
      await expectCode(provider.stat('/doomed-dst.bin'), 'NotFound');
      // Aborted by someone else (the portal, another tool): the SDK's own poller would poll on for ever.
      proxy.scriptedCopy = { pendingPolls: 1, outcome: 'aborted' };
      await expectCode(within(10_000, provider.copy!('/doomed-src.bin', '/doomed-dst.bin')), 'Protocol', /aborted/);
      await expectCode(provider.stat('/doomed-dst.bin'), 'NotFound');
    } finally {
      proxy.scriptedCopy = undefined;
    }
  });

  it('keeps a blob written under the target name after a copy failed (the removal is by copy id and ETag)', async () => {
    const provider = await viaProxy();
    await provider.write('/kept-src.bin', patternBytes('kept-src', 1000), { size: 1000 });
    const size = 2000;
    try {
      proxy.scriptedCopy = { pendingPolls: 1, outcome: 'failed', description: 'Copy failed.' };
      // Someone writes the target while the copy is reported pending: that blob is theirs, not the copy's.
      const copying = provider.copy!('/kept-src.bin', '/kept-dst.bin');
      await until(() => proxy.counts.copyPolls >= 1, 5000, 'the first poll');
      await provider.write('/kept-dst.bin', patternBytes('kept-new', size), { size });
      await expectCode(within(10_000, copying), 'Protocol', /no complete copy/);
    } finally {
      proxy.scriptedCopy = undefined;
    }
    assert.equal(await sha256Of(await provider.read('/kept-dst.bin')), await patternSha256('kept-new', size));
  });

  it('stops polling a pending server-side copy when cancelled, and aborts it on the service', async () => {
    const provider = await viaProxy();
    await provider.write('/cancel-copy-src.bin', patternBytes('cancel-copy', 1000), { size: 1000 });
    proxy.resetCounts();
    proxy.scriptedCopy = { pendingPolls: 1000, outcome: 'success' };
    const controller = new AbortController();
    const watch = setInterval(() => proxy.counts.copyPolls > 0 && controller.abort(), 20);
    try {
      await expectCode(
        within(10_000, provider.copy!('/cancel-copy-src.bin', '/cancel-copy-dst.bin', { signal: controller.signal })),
        'Cancelled',
      );
    } finally {
      clearInterval(watch);
      proxy.scriptedCopy = undefined;
    }
    assert.equal(proxy.counts.copyAborts, 1, 'Abort Copy Blob was sent, so the service stops copying too');
    await expectCode(provider.stat('/cancel-copy-dst.bin'), 'NotFound');
  });

  it('writes from a URL: the service fetches the bytes, block by block or in one put', async () => {
    const provider = await viaProxy();
    const size = 10 * MiB + 5;
    const source = await startPatternSource('from-url', size);
    try {
      proxy.resetCounts();
      const progress: number[] = [];
      const result = await provider.writeFromUrl!('/from-url.bin', source.url, {
        size,
        onProgress: (bytes) => progress.push(bytes),
      });
      assert.equal(result.size, size);
      assert.equal(proxy.counts.putBlockFromUrl, 3);
      // One report per block the service staged, whatever order the blocks finish in.
      assert.equal(progress.length, 3);
      assert.ok(
        progress.every((bytes, i) => i === 0 || bytes > progress[i - 1]!),
        `rising: ${progress.join(', ')}`,
      );
      assert.equal(progress.at(-1), size);
      assert.equal(proxy.counts.bytesFetched, size, 'the service side fetched every byte');
      assert.equal(source.bytesServed, size, 'the source served nothing to anyone else (the provider read 0 bytes)');
      assert.equal(proxy.counts.putBlockBytes, 0, 'the provider sent no block bytes itself');
      assert.equal(await sha256Of(await provider.read('/from-url.bin')), await patternSha256('from-url', size));
    } finally {
      await source.stop();
    }
    const small = await startPatternSource('small', 100_000);
    try {
      proxy.resetCounts();
      const progress: number[] = [];
      await provider.writeFromUrl!('/from-url-small.bin', small.url, {
        size: 100_000,
        storageClass: 'Cool',
        onProgress: (bytes) => progress.push(bytes),
      });
      assert.equal(proxy.counts.putBlobFromUrl, 1);
      assert.deepEqual(progress, [100_000]);
      assert.equal(proxy.counts.bytesFetched, 100_000);
      const entry = await provider.stat('/from-url-small.bin');
      assert.equal(entry.size, 100_000);
      assert.equal(entry.storageClass, 'Cool');
      assert.equal(await sha256Of(await provider.read('/from-url-small.bin')), await patternSha256('small', 100_000));
    } finally {
      await small.stop();
    }
  });

  it('reports a source the service cannot fetch as Network, leaving the target untouched', async () => {
    const provider = await viaProxy();
    await provider.write('/from-url-keep.bin', patternBytes('keep', 1000), { size: 1000 });
    const source = await startPatternSource('x', 9 * MiB);
    try {
      proxy.failFetchesWith = 403;
      const error = await expectCode(
        provider.writeFromUrl!('/from-url-keep.bin', source.url, { size: 9 * MiB }),
        'Network',
        /could not fetch the source/,
      );
      assert.doesNotMatch(error.message, /stand-in/, 'the presigned query string is not shown');
      await expectCode(
        provider.writeFromUrl!('/from-url-keep.bin', source.url, { size: 100 }),
        'Network',
        /could not fetch/,
      );
    } finally {
      proxy.failFetchesWith = undefined;
      await source.stop();
    }
    const closedPort = await freePort();
    await expectCode(
      provider.writeFromUrl!('/from-url-keep.bin', `http://127.0.0.1:${closedPort}/gone.bin`, { size: 9 * MiB }),
      'Network',
      /could not fetch/,
    );
    assert.equal(await sha256Of(await provider.read('/from-url-keep.bin')), await patternSha256('keep', 1000));
    // Azurite itself has no Put Block From URL: the provider says so, so the engine can stream instead.
    const azuriteOnly = await direct();
    const source2 = await startPatternSource('y', 5 * MiB);
    try {
      await expectCode(azuriteOnly.writeFromUrl!('/unsupported.bin', source2.url, { size: 5 * MiB }), 'Unsupported');
    } finally {
      await source2.stop();
    }
  });

  it('authenticates by account key and by SAS, and rejects a wrong key', async () => {
    const byKey = await open(
      { auth: 'key', account: azurite.account, endpoint: azurite.endpoint, container: 'data' },
      { accountKey: azurite.accountKey },
    );
    await byKey.write('/by-key.txt', patternBytes('k', 10), { size: 10 });
    assert.equal((await byKey.stat('/by-key.txt')).size, 10);

    const credential = new StorageSharedKeyCredential(azurite.account, azurite.accountKey);
    const expiresOn = new Date(Date.now() + 3600_000);
    const accountSas = generateAccountSASQueryParameters(
      {
        permissions: AccountSASPermissions.parse('rwdlac'),
        resourceTypes: AccountSASResourceTypes.parse('sco').toString(),
        services: AccountSASServices.parse('b').toString(),
        expiresOn,
      },
      credential,
    ).toString();
    const bySas = await open({ auth: 'sas', endpoint: azurite.endpoint }, { sasToken: accountSas });
    assert.ok(
      (await listAll(bySas, '/')).some((e) => e.name === 'data' && e.type === 'folder'),
      'an account SAS lists containers',
    );
    await bySas.write('/data/by-sas.txt', patternBytes('s', 20), { size: 20 });
    assert.equal(await sha256Of(await bySas.read('/data/by-sas.txt')), await patternSha256('s', 20));

    // A full container SAS URL fixes the container.
    const readOnly = generateBlobSASQueryParameters(
      { containerName: 'data', permissions: ContainerSASPermissions.parse('rl'), expiresOn },
      credential,
    ).toString();
    const byUrl = await open({ auth: 'sas' }, { sasToken: `${azurite.endpoint}/data?${readOnly}` });
    assert.equal(await sha256Of(await byUrl.read('/by-sas.txt')), await patternSha256('s', 20));
    assert.ok((await listAll(byUrl, '/')).some((e) => e.name === 'by-sas.txt'));
    const denied = await expectCode(
      byUrl.write('/nope.txt', patternBytes('n', 5), { size: 5 }),
      'PermissionDenied',
      /SAS does not allow writing/,
    );
    assert.doesNotMatch(denied.message, /sig=[^*]/);
    await expectCode(byUrl.remove('/by-sas.txt'), 'PermissionDenied', /SAS does not allow writing/);

    const wrongKey = await open(
      { auth: 'key', account: azurite.account, endpoint: azurite.endpoint, container: 'data' },
      { accountKey: Buffer.from('not the key').toString('base64') },
    );
    await expectCode(wrongKey.stat('/by-key.txt'), 'AuthFailed', /account name and key/);
    await expectCode(
      open({ auth: 'key', account: azurite.account, endpoint: azurite.endpoint }, {}),
      'AuthFailed',
      /No account key/,
    );
  });

  it('reads connections from the environment for az:// addresses', async () => {
    const fromString = azureSpecFromEnvironment('devstoreaccount1', 'data', {
      AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
    });
    assert.equal(fromString.spec.auth, 'connection-string');
    const provider = await openAzureBlobProvider(fromString.spec, { secrets: fromString.secrets, log });
    opened.push(provider);
    assert.equal((await provider.stat('/by-key.txt')).size, 10);

    const fromKey = azureSpecFromEnvironment('', 'data', { AZURE_STORAGE_ACCOUNT: 'acct', AZURE_STORAGE_KEY: 'a2V5' });
    assert.deepEqual(
      [fromKey.spec.auth, fromKey.spec.account, fromKey.spec.endpoint, await fromKey.secrets('accountKey')],
      ['key', 'acct', 'https://acct.blob.core.windows.net', 'a2V5'],
    );
    const fromSas = azureSpecFromEnvironment('acct2', undefined, { AZURE_STORAGE_SAS_TOKEN: 'sv=1&sig=x' });
    assert.deepEqual(
      [fromSas.spec.auth, fromSas.spec.account, await fromSas.secrets('sasToken')],
      ['sas', 'acct2', 'sv=1&sig=x'],
    );
    assert.throws(
      () => azureSpecFromEnvironment('acct', undefined, {}),
      (e: unknown) => e instanceof FerryError && e.code === 'AuthFailed',
    );
    assert.throws(
      () => azureSpecFromEnvironment('acct', 'Bad_Container', { AZURE_STORAGE_KEY: 'a2V5' }),
      (e: unknown) => e instanceof FerryError && e.code === 'InvalidInput',
    );
  });

  it('lists containers at "/" when none is fixed, and addresses blobs as /container/path', async () => {
    const provider = await open({ auth: 'connection-string' }, { connectionString: azurite.connectionString });
    await provider.mkdir('/fresh-container/sub/deeper');
    assert.ok((await listAll(provider, '/')).some((e) => e.name === 'fresh-container' && e.type === 'folder'));
    await provider.write('/fresh-container/sub/deeper/f.txt', patternBytes('f', 3), { size: 3 });
    assert.deepEqual(
      (await listAll(provider, '/fresh-container')).map((e) => [e.name, e.type]),
      [['sub', 'folder']],
    );
    assert.equal((await provider.stat('/fresh-container')).type, 'folder');
    await expectCode(provider.remove('/fresh-container'), 'InvalidInput', /not empty/);
    await provider.remove('/fresh-container', { recursive: true });
    await expectCode(provider.stat('/fresh-container'), 'NotFound');
  });

  it('rejects invalid container names before any request, and types missing containers and blobs', async () => {
    // Pointing at a closed port proves no request is made: a request would fail with Network.
    const port = await freePort();
    const offline = await open(
      { auth: 'key', account: 'devstoreaccount1', endpoint: `http://127.0.0.1:${port}/devstoreaccount1` },
      { accountKey: azurite.accountKey },
    );
    for (const bad of ['Upper', 'ab', 'under_score', 'double--hyphen', '-leading', 'x'.repeat(64)]) {
      await expectCode(offline.stat(`/${bad}/file.txt`), 'InvalidInput', /3 to 63 characters/);
    }
    await expectCode(
      open({ auth: 'connection-string', container: 'Bad Name' }, { connectionString: azurite.connectionString }),
      'InvalidInput',
      /container name/,
    );
    await expectCode(offline.stat('/valid-name/file.txt'), 'Network', /Could not reach/);

    const provider = await open({ auth: 'connection-string' }, { connectionString: azurite.connectionString });
    await expectCode(provider.stat('/no-such-container/file.txt'), 'NotFound');
    await expectCode(collectPages(provider, '/no-such-container'), 'NotFound');
    await expectCode(provider.write('/no-such-container/file.txt', patternBytes('x', 1), { size: 1 }), 'NotFound');
    await expectCode(provider.read('/data/no-such-blob'), 'NotFound');
    await expectCode(
      provider.write('/data/no-such-folder/file.txt', patternBytes('x', 1), { size: 1 }),
      'NotFound',
      /Create it first/,
    );
  });
});

async function collectPages(provider: AzureBlobProvider, path: string): Promise<void> {
  for await (const page of provider.list(path)) void page;
}

// What an Azure blob keeps of a file besides its bytes (issue 19): its time in rclone's `mtime` metadata, read
// and written in RFC 3339 with up to nine fractional digits; a Content-MD5 on a blob committed after a resume
// when the caller knows the whole file's MD5; the time on a server-side copy; and no folder marker for a folder
// its blobs make exist.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { ContainerClient } from '@azure/storage-blob';
import type { AzureBlobProvider } from '../../main/core/providers/azure-blob';
import { formatModTime, parseModTime } from '../../main/core/providers/azure-blob/mod-time';
import type { ResumeToken } from '../../shared/provider';
import { startAzurite, type AzuriteServer } from '../helpers/azurite';
import { openAzuriteContainer, uncommittedBlocks } from '../helpers/azurite-provider';
import { startFromUrlProxy, startPatternSource, type FromUrlProxy } from '../helpers/azurite-from-url-proxy';
import { expectCode } from '../helpers/expect-error';
import { collect, patternBytes } from '../helpers/pattern';

const MiB = 1024 * 1024;

describe('azure-blob: mtime in rclone’s format', () => {
  it('writes RFC 3339 in UTC with trailing zeros of the fraction dropped, as Go’s RFC3339Nano', () => {
    assert.equal(formatModTime(Date.UTC(2020, 5, 7, 8, 9, 10, 456)), '2020-06-07T08:09:10.456Z');
    assert.equal(formatModTime(Date.UTC(2020, 5, 7, 8, 9, 10, 450)), '2020-06-07T08:09:10.45Z');
    assert.equal(formatModTime(Date.UTC(2020, 5, 7, 8, 9, 10)), '2020-06-07T08:09:10Z');
  });

  it('reads nanoseconds (truncated to ms), offsets, and no fraction; nothing from anything else', () => {
    assert.equal(parseModTime('2021-02-03T03:05:06.123456789Z'), Date.UTC(2021, 1, 3, 3, 5, 6, 123));
    assert.equal(parseModTime('2021-02-03T04:05:06.9+01:00'), Date.UTC(2021, 1, 3, 3, 5, 6, 900));
    assert.equal(parseModTime('2021-02-03T03:05:06Z'), Date.UTC(2021, 1, 3, 3, 5, 6));
    assert.equal(parseModTime('1612321506.123456789'), undefined); // S3's form is not Azure's
    assert.equal(parseModTime('yesterday'), undefined);
  });
});

describe('azure-blob: time, MD5 and markers against Azurite', () => {
  let azurite: AzuriteServer;
  let provider: AzureBlobProvider;
  let container: ContainerClient;
  let proxy: FromUrlProxy;
  /** Through the proxy that plays Azure's part in Put Block From URL and Put Blob From URL. */
  let viaProxy: AzureBlobProvider;

  before(async () => {
    azurite = await startAzurite();
    ({ provider, container } = await openAzuriteContainer(azurite, 'azure-fidelity'));
    proxy = await startFromUrlProxy(azurite);
    ({ provider: viaProxy } = await openAzuriteContainer(azurite, 'azure-fidelity-url', {
      connectionString: proxy.connectionString,
      create: false,
    }));
  });
  after(async () => {
    await provider?.close();
    await viaProxy?.close();
    await proxy?.stop();
    await azurite?.stop();
  });

  /** Writes `size` bytes, failing after `failAt`, then resumes with `md5` given; returns the blob's Content-MD5. */
  async function resumedWith(name: string, size: number, failAt: number, md5: string | undefined) {
    const tokens: Array<ResumeToken | undefined> = [];
    async function* failing(): AsyncGenerator<Uint8Array> {
      let sent = 0;
      for await (const chunk of patternBytes(name, size)) {
        if (sent + chunk.length > failAt) throw new Error('source dropped');
        sent += chunk.length;
        yield chunk;
      }
    }
    await assert.rejects(
      provider.write(`/${name}`, failing(), { size, onResumeToken: (t) => tokens.push(t) }),
      /source dropped/,
    );
    const offset = await provider.resumeOffset!(`/${name}`, tokens[0]!);
    assert.ok(offset > 0, 'some blocks were staged');
    const result = await provider.write(`/${name}`, patternBytes(name, size - offset, offset), {
      size,
      offset,
      resumeToken: tokens[0]!,
      ...(md5 ? { md5 } : {}),
    });
    assert.equal(result.hashes, undefined, 'a resumed upload reports no digest of its own');
    const stored = (await container.getBlockBlobClient(name).getProperties()).contentMD5;
    return stored ? Buffer.from(stored).toString('hex') : undefined;
  }

  it('stores the whole file’s MD5 on a blob committed after a resume when the caller knows it', async () => {
    const size = 4 * MiB + 3;
    const md5 = createHash('md5')
      .update(await collect(patternBytes('resumed-md5.bin', size)))
      .digest('hex');
    assert.equal(await resumedWith('resumed-md5.bin', size, 2 * MiB + 100, md5), md5);
    const entry = (await provider.stat('/resumed-md5.bin')).hashes;
    assert.equal(entry?.md5, md5, 'and stat() gives it back');
    // Without it, none (as before): nothing would vouch for the bytes it did not see.
    assert.equal(await resumedWith('resumed-none.bin', size, 2 * MiB + 100, undefined), undefined);
  });

  it('gives a server-side copy the time it is given, else keeps the source’s', async () => {
    const modified = Date.UTC(2018, 3, 4, 5, 6, 7, 89);
    await provider.write('/copy-source.bin', patternBytes('copy', 1000), { size: 1000, modified });
    await container
      .getBlockBlobClient('copy-source.bin')
      .setMetadata({ mtime: '2018-04-04T05:06:07.089Z', other: 'kept' });
    await provider.copy!('/copy-source.bin', '/copy-same.bin');
    assert.equal((await provider.stat('/copy-same.bin')).modified, modified);
    const later = Date.UTC(2022, 1, 1);
    await provider.copy!('/copy-source.bin', '/copy-dated.bin', { modified: later });
    assert.equal((await provider.stat('/copy-dated.bin')).modified, later);
    const { metadata } = await container.getBlockBlobClient('copy-dated.bin').getProperties();
    assert.equal(metadata?.other, 'kept', 'the rest of the source’s metadata stays');
  });

  it('writes no folder marker for a folder that holds a blob already', async () => {
    await provider.write('/tree/a/file.bin', patternBytes('tree', 10), { size: 10, impliedFolders: true });
    assert.equal(await provider.mkdir('/tree/a'), false, 'the folder exists already');
    const names: string[] = [];
    for await (const item of container.listBlobsFlat({ prefix: 'tree/' })) names.push(item.name);
    assert.deepEqual(names, ['tree/a/file.bin']);
  });

  it('keeps the time and the known MD5 on a blob the service fetched from a URL, whole or in blocks', async () => {
    const modified = Date.UTC(2017, 6, 8, 9, 10, 11, 12);
    for (const size of [300_000, 3 * MiB + 1]) {
      const source = await startPatternSource(`url-${size}`, size);
      try {
        const md5 = createHash('md5')
          .update(await collect(patternBytes(`url-${size}`, size)))
          .digest('hex');
        await viaProxy.writeFromUrl!(`/url-${size}.bin`, source.url, { size, modified, md5 });
        const entry = await provider.stat(`/url-${size}.bin`);
        assert.equal(entry.modified, modified, `the time of ${size} bytes`);
        assert.equal(entry.hashes?.md5, md5, `the MD5 of ${size} bytes`);
      } finally {
        await source.stop();
      }
    }
  });

  it('leaves no staged blocks after a copy from a URL that stops half way', async () => {
    const size = 8 * MiB;
    const source = await startPatternSource('url-cancel', size);
    const controller = new AbortController();
    try {
      await expectCode(
        viaProxy.writeFromUrl!('/url-cancel.bin', source.url, {
          size,
          signal: controller.signal,
          onProgress: () => controller.abort(),
        }),
        'Cancelled',
      );
    } finally {
      await source.stop();
    }
    assert.equal(await uncommittedBlocks(container, 'url-cancel.bin'), 0, 'the blocks the service staged are gone');
    assert.equal(await container.getBlockBlobClient('url-cancel.bin').exists(), false, 'and no blob was left');
  });
});

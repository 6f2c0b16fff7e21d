// A block upload reads the committed block list back: the service checks each block on arrival but not
// what a commit builds from them, so a commit of other blocks (a reordered or shortened list, as a bug in
// the uploader or a meddling proxy would make) must fail the write with Integrity, not pass on its MD5.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient, BlockBlobClient } from '@azure/storage-blob';
import { openAzureBlobProvider, type AzureBlobProvider } from '../../main/core/providers/azure-blob';
import { createLogger } from '../../main/core/log/logger';
import { azureSpecSchema } from '../../shared/connection';
import { startAzurite, type AzuriteServer } from '../helpers/azurite';
import { expectCode } from '../helpers/expect-error';
import { patternBytes, patternSha256, sha256Of } from '../helpers/pattern';

const MiB = 1024 * 1024;
const SIZE = 3 * MiB + 17; // four blocks of 1 MiB, the last one short

describe('azure-blob: the committed block list is checked', () => {
  let azurite: AzuriteServer;
  let provider: AzureBlobProvider;
  const commit = BlockBlobClient.prototype.commitBlockList;

  before(async () => {
    azurite = await startAzurite();
    await BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('data').create();
    const spec = azureSpecSchema.parse({
      kind: 'azure-blob',
      auth: 'connection-string',
      container: 'data',
      blockSizeMiB: 1,
    });
    provider = await openAzureBlobProvider(spec, {
      secrets: async () => azurite.connectionString,
      log: createLogger({ test: 'azure-commit-check' }),
    });
  });
  after(async () => {
    BlockBlobClient.prototype.commitBlockList = commit;
    await provider?.close();
    await azurite?.stop();
  });

  /** Runs `write` while every commit is made of `meddle(ids)` instead of the ids the uploader sent. */
  async function withCommitOf<T>(meddle: (ids: string[]) => string[], write: () => Promise<T>): Promise<T> {
    BlockBlobClient.prototype.commitBlockList = function (this: BlockBlobClient, ids, options) {
      return commit.call(this, meddle(ids), options);
    };
    try {
      return await write();
    } finally {
      BlockBlobClient.prototype.commitBlockList = commit;
    }
  }

  it('an upload whose commit holds its own blocks in order succeeds', async () => {
    const result = await provider.write('/ok.bin', patternBytes('commit-ok', SIZE), { size: SIZE });
    assert.equal(result.size, SIZE);
    assert.equal(await sha256Of(await provider.read('/ok.bin')), await patternSha256('commit-ok', SIZE));
  });

  it('a commit of the same blocks in another order fails with Integrity', async () => {
    const reorder = (ids: string[]) => [ids[1]!, ids[0]!, ...ids.slice(2)];
    await expectCode(
      withCommitOf(reorder, () =>
        provider.write('/reordered.bin', patternBytes('commit-reordered', SIZE), { size: SIZE }),
      ),
      'Integrity',
      /committed reordered\.bin from other blocks than were sent \(4 committed, 4 sent\)/,
    );
  });

  it('a commit that leaves a block out fails with Integrity', async () => {
    const shorten = (ids: string[]) => ids.slice(0, -1);
    await expectCode(
      withCommitOf(shorten, () => provider.write('/shortened.bin', patternBytes('commit-short', SIZE), { size: SIZE })),
      'Integrity',
      /\(3 committed, 4 sent\)/,
    );
  });
});

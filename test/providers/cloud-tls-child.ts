// Run by cloud-tls.test.ts in a process started with NODE_EXTRA_CA_CERTS, so both SDKs (and the helpers'
// own requests) trust the test certificate with verification on. Starts s3rver and Azurite over HTTPS,
// writes a file of several parts (S3) and blocks (Azure) through the providers, and to Azure one of a single
// block (one Put Blob), reads them back, and prints one JSON line: the hashes, the part and block requests,
// and the largest single write to a TLS socket.
import { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { BlobServiceClient } from '@azure/storage-blob';
import { createLogger } from '../../main/core/log/logger';
import { openAzureBlobProvider } from '../../main/core/providers/azure-blob';
import { openS3Provider } from '../../main/core/providers/s3';
import { azureSpecSchema, s3SpecSchema } from '../../shared/connection';
import type { Provider } from '../../shared/provider';
import { startAzurite } from '../helpers/azurite';
import { patternBytes, sha256Of } from '../helpers/pattern';
import { startS3rver } from '../helpers/s3rver';

const SIZE = 12 * 1024 * 1024 + 1234; // three S3 parts of 5 MiB, four Azure blocks of 4 MiB
const ONE_BLOCK = 3 * 1024 * 1024 + 17; // one Azure Put Blob
const https = { certPath: process.env.FERRY_TLS_CERT!, keyPath: process.env.FERRY_TLS_KEY! };
const log = createLogger({ test: 'cloud-tls-child' });

// Every chunk a socket hands to the kernel side passes Socket#_writeGeneric (one chunk, or a corked batch);
// the HTTP clients never call write() on the socket itself. Node-internal, so the report counts what it saw:
// a run that saw no writes at all fails rather than passing for want of anything to measure.
let largestWrite = 0;
let writesSeen = 0;
type WriteGeneric = (this: Socket, writev: boolean, data: unknown, ...rest: unknown[]) => unknown;
const socketPrototype = Socket.prototype as unknown as { _writeGeneric: WriteGeneric };
const writeGeneric = socketPrototype._writeGeneric;
socketPrototype._writeGeneric = function (writev, data, ...rest) {
  if (this instanceof TLSSocket) {
    const chunks = writev ? (data as Array<{ chunk?: Uint8Array } | Uint8Array>) : [data as Uint8Array];
    for (const entry of chunks) {
      const chunk = entry instanceof Uint8Array ? entry : entry.chunk;
      if (chunk instanceof Uint8Array) largestWrite = Math.max(largestWrite, chunk.length);
      writesSeen++;
    }
  }
  return writeGeneric.call(this, writev, data, ...rest);
};

async function roundTrip(provider: Provider, seed: string, path = '/big.bin', size = SIZE) {
  largestWrite = 0;
  writesSeen = 0;
  await provider.write(path, patternBytes(seed, size), { size });
  const [writeMax, writes] = [largestWrite, writesSeen];
  return { writeMax, writes, sha256: await sha256Of(await provider.read(path)) };
}

const s3rver = await startS3rver({ buckets: ['tls'], https });
const azurite = await startAzurite({ https });
try {
  await BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('tls').create();
  const s3 = await openS3Provider(s3SpecSchema.parse(s3rver.spec('tls')), {
    secrets: async (field) => (field === 'secretAccessKey' ? s3rver.secretAccessKey : undefined),
    log,
  });
  const azure = await openAzureBlobProvider(
    azureSpecSchema.parse({ kind: 'azure-blob', auth: 'connection-string', container: 'tls' }),
    { secrets: async (field) => (field === 'connectionString' ? azurite.connectionString : undefined), log },
  );
  const s3Result = await roundTrip(s3, 'tls-s3');
  const parts = (await s3rver.requests()).filter((r) => r.method === 'PUT' && /[?&]partNumber=/.test(r.url));
  const azureResult = await roundTrip(azure, 'tls-azure');
  const azureOneBlock = await roundTrip(azure, 'tls-azure-one', '/one.bin', ONE_BLOCK);
  const committed = (name: string) =>
    BlobServiceClient.fromConnectionString(azurite.connectionString)
      .getContainerClient('tls')
      .getBlockBlobClient(name)
      .getBlockList('committed');
  const [blocks, oneBlocks] = await Promise.all([committed('big.bin'), committed('one.bin')]);
  await Promise.all([s3.close(), azure.close()]);
  process.stdout.write(
    JSON.stringify({
      endpoints: [s3rver.endpoint, azurite.endpoint],
      expectedSha256: {
        s3: await sha256Of(patternBytes('tls-s3', SIZE)),
        azure: await sha256Of(patternBytes('tls-azure', SIZE)),
        azureOneBlock: await sha256Of(patternBytes('tls-azure-one', ONE_BLOCK)),
      },
      s3: { ...s3Result, parts: parts.filter((r) => r.status === 200).length },
      azure: { ...azureResult, blocks: blocks.committedBlocks?.length ?? 0 },
      azureOneBlock: { ...azureOneBlock, blocks: oneBlocks.committedBlocks?.length ?? 0 },
    }) + '\n',
  );
} finally {
  await Promise.all([s3rver.stop(), azurite.stop()]);
}

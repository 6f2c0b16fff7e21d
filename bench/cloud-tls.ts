// Case (e) of the cloud suite: the large file over HTTPS, as every real account is reached. TLS changes what
// a write costs in memory (main/core/util/sliced-body.ts), so the RSS goal is checked on this path too.
// s3rver and Azurite serve a throwaway certificate that only the worker trusts (NODE_EXTRA_CA_CERTS), with
// verification on. FileFerry only, no time goal: the loopback time comparison with rclone is (a) and (c).
// Each copy is read back to a local file by a second worker run (the harness does not trust the
// certificate) and compared by SHA-256.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  azureSpecSchema,
  connectionSpecSchema,
  s3SpecSchema,
  type ConnectionRef,
  type ConnectionSpec,
} from '../shared/connection';
import type { TransferRequest } from '../shared/transfers';
import { startAzurite } from '../test/helpers/azurite';
import { createTestCertificate } from '../test/helpers/certs';
import { startS3rver } from '../test/helpers/s3rver';
import type { BenchContext } from './lib/context';
import { assertSameDigest, sha256OfFile } from './lib/files';
import { measureFileFerry } from './lib/file-ferry';
import { reportServerLoad, runWorker, type Secrets } from './lib/measure';
import { sizeLabel, type Measurement } from './lib/report';

const BUCKET = 'bench';
const CONTAINER = 'bench';

export interface TlsCaseInput {
  ctx: BenchContext;
  /** The FTP site serving the large file as /pub/big.bin. */
  ftp: ConnectionSpec;
  bigDigest: string;
  /** Registers a server to stop at the end of the suite (or on Ctrl-C). */
  started: <T extends { stop(): Promise<void> }>(server: T) => T;
}

export async function measureOverTls({ ctx, ftp, bigDigest, started }: TlsCaseInput): Promise<Measurement[]> {
  const certificate = await createTestCertificate();
  started({ stop: () => certificate.remove() });
  const https = { certPath: certificate.certPath, keyPath: certificate.keyPath };
  const env = { NODE_EXTRA_CA_CERTS: certificate.certPath };
  const s3rver = started(await startS3rver({ buckets: [BUCKET], https }));
  const azurite = started(await startAzurite({ persistent: true, https }));
  reportServerLoad({ s3rver: s3rver.pid, Azurite: azurite.pid });
  const secrets: Secrets = {
    s3: { secretAccessKey: s3rver.secretAccessKey },
    azure: { connectionString: azurite.connectionString },
  };
  const s3Spec = s3SpecSchema.parse(s3rver.spec(BUCKET));
  // No fixed container: the job creates it as the target's missing parent, over HTTPS like the rest.
  const azureSpec = azureSpecSchema.parse({ kind: 'azure-blob', auth: 'connection-string' });
  const s3: ConnectionRef = { spec: s3Spec, secretsKey: 's3' };
  const azure: ConnectionRef = { spec: azureSpec, secretsKey: 'azure' };
  const local: ConnectionRef = { spec: connectionSpecSchema.parse({ kind: 'local', root: ctx.workDir }) };

  const cases: Array<{ label: string; note: string; request: TransferRequest; readBack: TransferRequest['source'] }> = [
    {
      label: `FTP→S3 ${sizeLabel(ctx.bigBytes)}, HTTPS`,
      note: `defaults: part ${s3Spec.partSizeMiB} MiB × ${s3Spec.uploadConcurrency}`,
      request: {
        source: { connection: { spec: ftp }, path: '/pub/big.bin' },
        target: { connection: s3, path: '/big.bin' },
      },
      readBack: { connection: s3, path: '/big.bin' },
    },
    {
      label: `S3→Azure ${sizeLabel(ctx.bigBytes)}, HTTPS`,
      note: `defaults: block ${azureSpec.blockSizeMiB} MiB × ${azureSpec.uploadConcurrency}, streamed (Azurite cannot copy from a URL)`,
      request: {
        source: { connection: s3, path: '/big.bin' },
        target: { connection: azure, path: `/${CONTAINER}/big.bin` },
      },
      readBack: { connection: azure, path: `/${CONTAINER}/big.bin` },
    },
  ];
  const measurements: Measurement[] = [];
  for (const { label, note, request, readBack } of cases) {
    for (let round = 0; round < (ctx.repeat ?? 3); round++) {
      ctx.say(`${label}: FileFerry`);
      measurements.push(await measureFileFerry(ctx, { label, bytes: ctx.bigBytes, request, secrets, env, note }));
    }
    const copy = join(ctx.workDir, 'tls-read-back.bin');
    await runWorker(
      { request: { source: readBack, target: { connection: local, path: '/tls-read-back.bin' } } },
      { workDir: ctx.workDir, secrets, env },
    );
    assertSameDigest(label, bigDigest, await sha256OfFile(copy));
    await rm(copy);
  }
  return measurements;
}

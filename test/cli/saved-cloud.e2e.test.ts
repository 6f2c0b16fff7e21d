// Saved cloud connections from the command line: `fileferry connections add` keeps an S3 secret access key
// and an Azure account key in the OS keychain (a real Secret Service: gnome-keyring in a D-Bus session), and
// NAME:path then works for ls, cp (both ways), mkdir, mv and rm against s3rver and Azurite with no cloud
// credential in the environment. Outcomes are checked with each service's own SDK, bytes by SHA-256.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { BlobServiceClient } from '@azure/storage-blob';
import { DEFAULT_SERVICE } from '../../main/core/credentials';
import type { KeytarModule } from '../../main/core/credentials/keychain-store';
import { startAzurite, type AzuriteServer } from '../helpers/azurite';
import { requireKeyring } from '../helpers/keyring';
import { s3rverClient, startS3rver, type S3rverServer } from '../helpers/s3rver';
import { scanForCanaries } from '../helpers/scan';
import { expectExit, noMachineAws, runCli, sha256, type CliEnv } from './run-cli';

const BUCKET = 'saved-bucket';
const CONTAINER = 'saved-container';

describe('fileferry NAME:path with saved S3 and Azure connections', () => {
  let keytar: KeytarModule;
  let s3: S3rverServer;
  let azurite: AzuriteServer;
  let s3Client: S3Client;
  let blobs: BlobServiceClient;
  let work: string;
  let home: string;
  let noAws: CliEnv;
  const suffix = randomBytes(3).toString('hex');
  const s3Name = `s3-${suffix}`;
  const azName = `az-${suffix}`;
  const cli = (args: string[], env: CliEnv = {}) => runCli(home, args, { ...noAws, ...env });

  async function keychainHolds(secret: string): Promise<boolean> {
    return (await keytar.findCredentials(DEFAULT_SERVICE)).some((entry) => entry.password === secret);
  }
  /** Keys under a prefix in the bucket, without the folder markers (the provider's business). */
  async function s3Files(prefix: string): Promise<string[]> {
    const page = await s3Client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
    return (page.Contents ?? []).map((o) => o.Key!).filter((key) => !key.endsWith('/'));
  }
  async function s3Sha(key: string): Promise<string> {
    const object = await s3Client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return sha256(Buffer.from(await object.Body!.transformToByteArray()));
  }
  async function blobNames(prefix: string): Promise<string[]> {
    const names: string[] = [];
    for await (const blob of blobs.getContainerClient(CONTAINER).listBlobsFlat({ prefix })) names.push(blob.name);
    return names.sort();
  }
  async function blobSha(name: string): Promise<string> {
    return sha256(await blobs.getContainerClient(CONTAINER).getBlobClient(name).downloadToBuffer());
  }

  before(async () => {
    keytar = await requireKeyring();
    [s3, azurite] = await Promise.all([startS3rver({ buckets: [BUCKET] }), startAzurite()]);
    work = await mkdtemp(path.join(tmpdir(), 'ferry-cli-saved-cloud-'));
    home = path.join(work, 'home');
    // The saved connection is all there is.
    noAws = noMachineAws(work);
    s3Client = s3rverClient(s3);
    blobs = BlobServiceClient.fromConnectionString(azurite.connectionString);
    await blobs.getContainerClient(CONTAINER).create();
  });

  after(async () => {
    // The connections' keychain entries go with them; a failed test may have left them.
    if (home) for (const name of [s3Name, azName]) await cli(['connections', 'rm', name]).catch(() => undefined);
    s3Client?.destroy();
    await Promise.all([s3?.stop(), azurite?.stop()]);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('saves an S3 access key and an Azure account key with their secrets in the keychain', async () => {
    const addedS3 = await cli(
      [
        'connections',
        'add',
        s3Name,
        '--kind',
        's3',
        '--bucket',
        BUCKET,
        '--endpoint',
        s3.endpoint,
        '--region',
        'us-east-1',
        '--access-key-id',
        s3.accessKeyId,
      ],
      { FILEFERRY_SECRET: s3.secretAccessKey },
    );
    expectExit(addedS3, 0);
    assert.match(addedS3.stdout, /saved in the OS keychain/);
    const addedAz = await cli(
      [
        'connections',
        'add',
        azName,
        '--kind',
        'azure-blob',
        '--auth',
        'key',
        '--account',
        azurite.account,
        '--endpoint',
        azurite.endpoint,
        '--container',
        CONTAINER,
      ],
      { FILEFERRY_SECRET: azurite.accountKey },
    );
    expectExit(addedAz, 0);
    assert.match(addedAz.stdout, /saved in the OS keychain/);
    assert.ok(await keychainHolds(s3.secretAccessKey), 'the S3 secret is in the Secret Service');
    assert.ok(await keychainHolds(azurite.accountKey), 'the Azure key is in the Secret Service');
    assert.deepEqual(await scanForCanaries([home], [azurite.accountKey]), [], 'the key is nowhere in the data folder');

    expectExit(await cli(['connections', 'test', s3Name]), 0);
    expectExit(await cli(['connections', 'test', azName]), 0);
  });

  for (const kind of ['s3', 'azure'] as const) {
    it(`uses ${kind === 's3' ? 'S3' : 'Azure'} NAME:path for mkdir, cp both ways, ls, mv and rm`, async () => {
      const name = kind === 's3' ? s3Name : azName;
      const files = kind === 's3' ? s3Files : blobNames;
      const shaOf = kind === 's3' ? s3Sha : blobSha;
      // Above one S3 part (5 MiB) and one Azure block (4 MiB): the multipart and block paths.
      const bytes = randomBytes(6 * 1024 * 1024 + 321);
      const file = path.join(work, `${kind}-data.bin`);
      await writeFile(file, bytes);

      expectExit(await cli(['mkdir', `${name}:/in/deeper`]), 0);
      const made = await cli(['ls', `${name}:/in`]);
      expectExit(made, 0);
      assert.match(made.stdout, /^d .* deeper\/$/m);

      expectExit(await cli(['cp', file, `${name}:/in/`]), 0);
      assert.equal(await shaOf(`in/${kind}-data.bin`), sha256(bytes));
      const listed = await cli(['ls', `${name}:/in`]);
      expectExit(listed, 0);
      assert.match(listed.stdout, new RegExp(`^- +${bytes.length} .* ${kind}-data\\.bin$`, 'm'));

      expectExit(await cli(['mv', `${name}:/in/${kind}-data.bin`, `${name}:/in/deeper/renamed.bin`]), 0);
      assert.deepEqual(await files(`in/${kind}-data.bin`), []);
      assert.equal(await shaOf('in/deeper/renamed.bin'), sha256(bytes));

      const back = path.join(work, `${kind}-back.bin`);
      expectExit(await cli(['cp', `${name}:/in/deeper/renamed.bin`, back]), 0);
      assert.equal(sha256(await readFile(back)), sha256(bytes));

      expectExit(await cli(['rm', `${name}:/in/deeper/renamed.bin`]), 0);
      assert.deepEqual(await files('in/deeper/renamed.bin'), []);
      expectExit(await cli(['rm', '-r', `${name}:/in`]), 0);
      assert.deepEqual(await files('in/'), []);
      const gone = await cli(['ls', `${name}:/in`]);
      expectExit(gone, 1);
    });
  }
});

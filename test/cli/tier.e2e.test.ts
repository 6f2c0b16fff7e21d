// `fileferry tier ADDRESS CLASS` as a person runs it, against s3rver and Azurite on 127.0.0.1 with the
// credentials in the environment (and a saved connection for NAME:path). Each change is read back through
// the service's own SDK and through `ls --json`; the bytes stay the same. Azurite rehydrates an archived
// blob at once, so the from-URL proxy in front of it plays Azure's part for the rehydration (holdRehydration).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { BlobServiceClient } from '@azure/storage-blob';
import { startAzurite, type AzuriteServer } from '../helpers/azurite';
import { startFromUrlProxy, type FromUrlProxy } from '../helpers/azurite-from-url-proxy';
import { s3rverClient, startS3rver, type S3rverServer } from '../helpers/s3rver';
import { expectExit, jsonLines, noMachineAws, runCli, sha256, type CliEnv } from './run-cli';

const BUCKET = 'tier-bucket';
const CONTAINER = 'tier-container';
const CONTENT = 'bytes that must survive every class change\n';

interface ListedEntry {
  name: string;
  storageClass?: string;
  unavailable?: string;
}

describe('fileferry tier (S3 storage classes and Azure access tiers)', () => {
  let s3: S3rverServer;
  let azurite: AzuriteServer;
  let proxy: FromUrlProxy;
  let s3Client: S3Client;
  let blobs: BlobServiceClient;
  let work: string;
  let home: string;
  let s3Env: CliEnv;
  let azEnv: CliEnv;
  let azViaProxyEnv: CliEnv;
  const cli = (args: string[], env: CliEnv = {}) => runCli(home, args, env);
  const savedName = `tier-s3-${process.pid}`;

  async function s3Class(key: string): Promise<string> {
    return (await s3Client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).StorageClass ?? 'STANDARD';
  }
  async function s3Sha(key: string): Promise<string> {
    const object = await s3Client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return sha256(Buffer.from(await object.Body!.transformToByteArray()));
  }
  const blob = (name: string) => blobs.getContainerClient(CONTAINER).getBlockBlobClient(name);
  /** The one entry `ls --json ADDRESS` prints for a file. */
  async function listed(address: string, env: CliEnv): Promise<ListedEntry> {
    const result = await cli(['ls', '--json', address], env);
    expectExit(result, 0);
    const entries = jsonLines<ListedEntry>(result.stdout);
    assert.equal(entries.length, 1, result.stdout);
    return entries[0]!;
  }

  before(async () => {
    [s3, azurite] = await Promise.all([startS3rver({ buckets: [BUCKET] }), startAzurite()]);
    proxy = await startFromUrlProxy(azurite);
    work = await mkdtemp(path.join(tmpdir(), 'ferry-cli-tier-'));
    home = path.join(work, 'home');
    s3Env = {
      ...noMachineAws(work),
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_S3: s3.endpoint,
    };
    azEnv = { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString };
    azViaProxyEnv = { AZURE_STORAGE_CONNECTION_STRING: proxy.connectionString };
    s3Client = s3rverClient(s3);
    blobs = BlobServiceClient.fromConnectionString(azurite.connectionString);
    await blobs.getContainerClient(CONTAINER).create();
  });

  after(async () => {
    if (home) await cli(['connections', 'rm', savedName]).catch(() => undefined);
    s3Client?.destroy();
    await proxy?.stop();
    await Promise.all([s3?.stop(), azurite?.stop()]);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('changes an S3 object’s storage class in place, read back through the SDK and ls --json', async () => {
    const key = 'classes/report.csv';
    await s3Client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: CONTENT }));
    const address = `s3://${BUCKET}/${key}`;

    const changed = await cli(['tier', address, 'standard_ia'], s3Env);
    expectExit(changed, 0);
    assert.match(changed.stdout, /is now STANDARD_IA \(was STANDARD\)/);
    assert.equal(await s3Class(key), 'STANDARD_IA');
    assert.equal((await listed(address, s3Env)).storageClass, 'STANDARD_IA');
    assert.equal(await s3Sha(key), sha256(CONTENT), 'the bytes are those uploaded');

    const again = await cli(['tier', address, 'STANDARD_IA'], s3Env);
    expectExit(again, 0);
    assert.match(again.stdout, /already STANDARD_IA/);

    const archived = await cli(['tier', address, 'GLACIER'], s3Env);
    expectExit(archived, 0);
    assert.match(archived.stdout, /now GLACIER.*must be restored/);
    assert.equal(await s3Class(key), 'GLACIER');
    const entry = await listed(address, s3Env);
    assert.equal(entry.storageClass, 'GLACIER');
    assert.match(entry.unavailable ?? '', /restore/);
    // Out of GLACIER only after a restore: S3 refuses the copy onto itself, and the person is told why.
    const unrestored = await cli(['tier', address, 'STANDARD'], s3Env);
    expectExit(unrestored, 1);
    assert.match(unrestored.stderr, /GLACIER storage class: restore it/);
    assert.equal(await s3Class(key), 'GLACIER');
  });

  it('changes an Azure blob’s access tier, and from Archive says rehydration has started and takes hours', async () => {
    await blob('tiers/backup.bak').upload(CONTENT, CONTENT.length);
    const address = `az://${azurite.account}/${CONTAINER}/tiers/backup.bak`;

    const cool = await cli(['tier', address, 'COOL'], azEnv);
    expectExit(cool, 0);
    assert.match(cool.stdout, /is now Cool \(was Hot\)/);
    assert.equal((await blob('tiers/backup.bak').getProperties()).accessTier, 'Cool');
    assert.equal((await listed(address, azEnv)).storageClass, 'Cool');

    const archive = await cli(['tier', address, 'archive'], azEnv);
    expectExit(archive, 0);
    assert.match(archive.stdout, /now in Archive \(was Cool\).*rehydrate it first/);
    assert.equal((await blob('tiers/backup.bak').getProperties()).accessTier, 'Archive');

    // Through the proxy, the blob stays in Archive and rehydrating after Set Blob Tier, as on Azure.
    proxy.holdRehydration = true;
    try {
      const hot = await cli(['tier', address, 'Hot'], azViaProxyEnv);
      expectExit(hot, 0);
      assert.match(hot.stdout, /Rehydration of .* from Archive to Hot has started\. It takes hours/);
      assert.match(hot.stdout, /ls --json/);
      assert.equal((await blob('tiers/backup.bak').getProperties()).accessTier, 'Hot', 'the service was asked for Hot');
      const rehydrating = await listed(address, azViaProxyEnv);
      assert.equal(rehydrating.storageClass, 'Archive');
      assert.match(rehydrating.unavailable ?? '', /rehydrating to hot/);
    } finally {
      proxy.holdRehydration = false;
      proxy.setBlobState(CONTAINER, 'tiers/backup.bak', undefined);
    }
    assert.equal(sha256(await blob('tiers/backup.bak').downloadToBuffer()), sha256(CONTENT));
  });

  it('works on NAME:path of a saved S3 connection', async () => {
    const added = await cli(
      ['connections', 'add', savedName, '--kind', 's3', '--auth', 'env', '--bucket', BUCKET, '--endpoint', s3.endpoint],
      s3Env,
    );
    expectExit(added, 0);
    await s3Client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'saved/data.bin', Body: CONTENT }));
    const changed = await cli(['tier', `${savedName}:/saved/data.bin`, 'INTELLIGENT_TIERING'], s3Env);
    expectExit(changed, 0);
    assert.equal(await s3Class('saved/data.bin'), 'INTELLIGENT_TIERING');
  });

  it('refuses folders, local and FTP addresses and unknown classes with exit code 2 and what to do', async () => {
    await s3Client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'refused/keep.txt', Body: CONTENT }));
    await blob('refused/keep.txt').upload(CONTENT, CONTENT.length);
    const s3File = `s3://${BUCKET}/refused/keep.txt`;
    const azFile = `az://${azurite.account}/${CONTAINER}/refused/keep.txt`;

    for (const [folder, storageClass, env] of [
      [`s3://${BUCKET}/refused`, 'GLACIER', s3Env],
      [`s3://${BUCKET}`, 'GLACIER', s3Env],
      [`az://${azurite.account}/${CONTAINER}/refused`, 'Cool', azEnv],
    ] as const) {
      const refused = await cli(['tier', folder, storageClass], env);
      expectExit(refused, 2);
      assert.match(refused.stderr, /is a folder; tier changes one file at a time\. Name a file/);
    }

    const localFile = path.join(work, 'local.txt');
    await writeFile(localFile, CONTENT);
    const local = await cli(['tier', localFile, 'Cool']);
    expectExit(local, 2);
    assert.match(local.stderr, /files on this computer have no storage classes\. tier changes files on S3/);

    // A user name and no password anywhere: refused before any password is asked for or server reached.
    const ftp = await cli(['tier', 'ftp://someone@127.0.0.1:1/pub/file.txt', 'Cool']);
    expectExit(ftp, 2);
    assert.match(ftp.stderr, /FTP servers have no storage classes\. tier changes files on S3 \(s3:\/\/…\) and Azure/);

    const azureTierOnS3 = await cli(['tier', s3File, 'Cool'], s3Env);
    expectExit(azureTierOnS3, 2);
    assert.match(
      azureTierOnS3.stderr,
      /"Cool" is not an S3 storage class\. Choose one of STANDARD, STANDARD_IA, INTELLIGENT_TIERING, GLACIER_IR, GLACIER, DEEP_ARCHIVE\./,
    );
    const s3ClassOnAzure = await cli(['tier', azFile, 'GLACIER'], azEnv);
    expectExit(s3ClassOnAzure, 2);
    assert.match(
      s3ClassOnAzure.stderr,
      /"GLACIER" is not an Azure access tier\. Choose one of Hot, Cool, Cold, Archive\./,
    );

    const missingClass = await cli(['tier', s3File], s3Env);
    expectExit(missingClass, 2);
    assert.match(missingClass.stderr, /expected ADDRESS and CLASS.*\n.*fileferry tier --help/);

    // A file that is not there is a failure (exit 1), not a usage error.
    const missing = await cli(['tier', `s3://${BUCKET}/refused/nope.txt`, 'GLACIER'], s3Env);
    expectExit(missing, 1);
    assert.match(missing.stderr, /does not exist/);

    assert.equal(await s3Class('refused/keep.txt'), 'STANDARD', 'nothing was changed');
    assert.equal((await blob('refused/keep.txt').getProperties()).accessTier, 'Hot', 'nothing was changed');
  });
});

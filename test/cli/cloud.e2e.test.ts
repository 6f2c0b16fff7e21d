// The real `fileferry` command with s3:// and az:// addresses, credentials from the environment variables
// the AWS and Azure CLIs read, against s3rver and Azurite on 127.0.0.1. Outcomes are checked with each
// service's own SDK (bytes by SHA-256, storage classes, objects present or gone), not in CLI output alone.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  S3Client,
  type ListObjectsV2CommandOutput,
} from '@aws-sdk/client-s3';
import {
  AccountSASPermissions,
  BlobServiceClient,
  generateAccountSASQueryParameters,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { startAzurite, type AzuriteServer } from '../helpers/azurite';
import { startS3rver, S3RVER_ACCESS_KEY_ID, S3RVER_SECRET_ACCESS_KEY, type S3rverServer } from '../helpers/s3rver';
import { scanForCanaries } from '../helpers/scan';
import { expectExit, jsonLines, noMachineAws, runCli, sha256, treeHashes, type CliEnv } from './run-cli';

const BUCKET = 'ferry-bucket';
const CONTAINER = 'ferry-container';

interface ListedEntry {
  name: string;
  type: 'file' | 'folder';
  size?: number;
  storageClass?: string;
}

describe('fileferry with s3:// and az:// addresses (credentials from the environment)', () => {
  let s3: S3rverServer;
  let azurite: AzuriteServer;
  let work: string;
  let home: string;
  let src: string;
  let s3Env: CliEnv;
  let azConnectionStringEnv: CliEnv;
  let azKeyEnv: CliEnv;
  let s3Client: S3Client;
  let blobService: BlobServiceClient;
  const cli = (args: string[], env: CliEnv = {}) => runCli(home, args, env);

  async function s3Keys(prefix: string): Promise<string[]> {
    const page: ListObjectsV2CommandOutput = await s3Client.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }),
    );
    // Folder markers ("up/") are the provider's business; these checks are about the files.
    return (page.Contents ?? [])
      .map((o) => o.Key!)
      .filter((key) => !key.endsWith('/'))
      .sort();
  }
  async function s3Sha(bucket: string, key: string): Promise<string> {
    const object = await s3Client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return sha256(Buffer.from(await object.Body!.transformToByteArray()));
  }
  async function blobNames(prefix: string): Promise<string[]> {
    const names: string[] = [];
    for await (const blob of blobService.getContainerClient(CONTAINER).listBlobsFlat({ prefix })) names.push(blob.name);
    return names.sort();
  }
  async function blobSha(name: string): Promise<string> {
    return sha256(await blobService.getContainerClient(CONTAINER).getBlobClient(name).downloadToBuffer());
  }

  before(async () => {
    [s3, azurite] = await Promise.all([startS3rver({ buckets: [BUCKET] }), startAzurite()]);
    work = await mkdtemp(path.join(tmpdir(), 'ferry-cli-cloud-'));
    home = path.join(work, 'home');
    src = path.join(work, 'src');
    await mkdir(path.join(src, 'sub dir'), { recursive: true });
    await writeFile(path.join(src, 'a.txt'), 'hello ferry\n');
    await writeFile(path.join(src, 'big.bin'), randomBytes(700_000));
    await writeFile(path.join(src, 'sub dir', 'é ü #1.txt'), 'unicode name\n');
    const noAwsFiles = noMachineAws(work);
    s3Env = {
      ...noAwsFiles,
      AWS_ACCESS_KEY_ID: S3RVER_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: S3RVER_SECRET_ACCESS_KEY,
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_S3: s3.endpoint,
    };
    azConnectionStringEnv = { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString };
    azKeyEnv = {
      AZURE_STORAGE_ACCOUNT: azurite.account,
      AZURE_STORAGE_KEY: azurite.accountKey,
      AZURE_STORAGE_BLOB_ENDPOINT: azurite.endpoint,
    };
    s3Client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: S3RVER_ACCESS_KEY_ID, secretAccessKey: S3RVER_SECRET_ACCESS_KEY },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    blobService = BlobServiceClient.fromConnectionString(azurite.connectionString);
  });

  after(async () => {
    s3Client?.destroy();
    await Promise.all([s3?.stop(), azurite?.stop()]);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('s3:// with access keys and AWS_ENDPOINT_URL_S3: cp -r, ls, mkdir, mv, rm', async () => {
    const expected = await treeHashes(src);
    expectExit(await cli(['cp', '-r', src, `s3://${BUCKET}/up`], s3Env), 0);
    assert.deepEqual(await s3Keys('up/'), ['up/a.txt', 'up/big.bin', 'up/sub dir/é ü #1.txt']);
    for (const [relative, hash] of Object.entries(expected)) assert.equal(await s3Sha(BUCKET, `up/${relative}`), hash);

    const buckets = await cli(['ls', 's3://'], s3Env);
    expectExit(buckets, 0);
    assert.match(buckets.stdout, new RegExp(`^d .* ${BUCKET}/$`, 'm'));
    const listed = await cli(['ls', `s3://${BUCKET}/up`], s3Env);
    expectExit(listed, 0);
    assert.match(listed.stdout, /^d .* sub dir\/$/m);
    assert.match(listed.stdout, /^- +700000 .* big\.bin$/m);

    expectExit(await cli(['mkdir', `s3://${BUCKET}/made/inner`], s3Env), 0);
    const markers = await s3Client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'made/' }));
    assert.deepEqual(markers.Contents?.map((o) => o.Key).sort(), ['made/', 'made/inner/']);
    // A bucket is the first level: mkdir creates one.
    expectExit(await cli(['mkdir', 's3://second-bucket'], s3Env), 0);

    // On one site mv renames; between buckets of one site too.
    expectExit(await cli(['mv', `s3://${BUCKET}/up/a.txt`, `s3://${BUCKET}/made/`], s3Env), 0);
    assert.deepEqual(await s3Keys('up/a.txt'), []);
    assert.equal(await s3Sha(BUCKET, 'made/a.txt'), sha256('hello ferry\n'));
    expectExit(await cli(['mv', `s3://${BUCKET}/made/a.txt`, 's3://second-bucket/moved.txt'], s3Env), 0);
    assert.equal(await s3Sha('second-bucket', 'moved.txt'), sha256('hello ferry\n'));
    assert.deepEqual(await s3Keys('made/a.txt'), []);

    // Back to the disk, byte for byte.
    const down = path.join(work, 's3-down');
    expectExit(await cli(['cp', '-r', `s3://${BUCKET}/up`, down], s3Env), 0);
    const { ['a.txt']: _moved, ...rest } = expected;
    assert.deepEqual(await treeHashes(down), rest);

    const noFlag = await cli(['rm', `s3://${BUCKET}/made`], s3Env);
    expectExit(noFlag, 1);
    assert.match(noFlag.stderr, /is a folder\. Use rm -r/);
    expectExit(await cli(['rm', '-r', `s3://${BUCKET}/made`], s3Env), 0);
    const left = await s3Client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'made/' }));
    assert.equal(left.KeyCount, 0);
    expectExit(await cli(['rm', 's3://second-bucket/moved.txt'], s3Env), 0);
    await assert.rejects(s3Client.send(new HeadObjectCommand({ Bucket: 'second-bucket', Key: 'moved.txt' })));
  });

  it('s3:// with AWS_PROFILE reads the profile from the shared credentials file', async () => {
    const credentials = path.join(work, 'aws-credentials');
    await writeFile(
      credentials,
      `[ferry-test]\naws_access_key_id = ${S3RVER_ACCESS_KEY_ID}\naws_secret_access_key = ${S3RVER_SECRET_ACCESS_KEY}\n`,
    );
    const { AWS_ACCESS_KEY_ID: _id, AWS_SECRET_ACCESS_KEY: _secret, ...withoutKeys } = s3Env;
    const env = { ...withoutKeys, AWS_PROFILE: 'ferry-test', AWS_SHARED_CREDENTIALS_FILE: credentials };
    const listed = await cli(['ls', `s3://${BUCKET}/up`], env);
    expectExit(listed, 0);
    assert.match(listed.stdout, /big\.bin$/m);

    const wrongProfile = await cli(['ls', `s3://${BUCKET}/up`], { ...env, AWS_PROFILE: 'no-such-profile' });
    expectExit(wrongProfile, 1);
    assert.match(wrongProfile.stderr, /^fileferry: /);
  });

  it('az:// with AZURE_STORAGE_CONNECTION_STRING: mkdir (a container), cp -r, ls, mv, rm', async () => {
    const env = azConnectionStringEnv;
    const base = `az://${azurite.account}/${CONTAINER}`;
    expectExit(await cli(['mkdir', `${base}/made/inner`], env), 0);
    assert.ok(await blobService.getContainerClient(CONTAINER).exists(), 'mkdir created the container');

    const expected = await treeHashes(src);
    expectExit(await cli(['cp', '-r', src, `${base}/up`], env), 0);
    for (const [relative, hash] of Object.entries(expected)) assert.equal(await blobSha(`up/${relative}`), hash);

    const containers = await cli(['ls', `az://${azurite.account}`], env);
    expectExit(containers, 0);
    assert.match(containers.stdout, new RegExp(`^d .* ${CONTAINER}/$`, 'm'));
    const listed = await cli(['ls', '--json', `${base}/up`], env);
    expectExit(listed, 0);
    assert.deepEqual(
      jsonLines<ListedEntry>(listed.stdout).map((e) => `${e.type}:${e.name}`),
      ['file:a.txt', 'file:big.bin', 'folder:sub dir'],
    );

    expectExit(await cli(['mv', `${base}/up/a.txt`, `${base}/made/renamed.txt`], env), 0);
    assert.equal(await blobSha('made/renamed.txt'), sha256('hello ferry\n'));
    assert.deepEqual(await blobNames('up/a.txt'), []);

    const noFlag = await cli(['rm', `${base}/made`], env);
    expectExit(noFlag, 1);
    assert.match(noFlag.stderr, /Use rm -r/);
    expectExit(await cli(['rm', '-r', `${base}/made`], env), 0);
    assert.deepEqual(await blobNames('made/'), []);
  });

  it('az:// with AZURE_STORAGE_ACCOUNT and AZURE_STORAGE_KEY or AZURE_STORAGE_SAS_TOKEN', async () => {
    const base = `az://${azurite.account}/${CONTAINER}`;
    const listed = await cli(['ls', `${base}/up`], azKeyEnv);
    expectExit(listed, 0);
    assert.match(listed.stdout, /^- +700000 .* big\.bin$/m);

    expectExit(await cli(['mkdir', `${base}/by-key`], azKeyEnv), 0);
    expectExit(await cli(['cp', path.join(src, 'a.txt'), `${base}/by-key/`], azKeyEnv), 0);
    assert.equal(await blobSha('by-key/a.txt'), sha256('hello ferry\n'));
    expectExit(await cli(['mv', `${base}/by-key/a.txt`, `${base}/by-key/b.txt`], azKeyEnv), 0);
    assert.equal(await blobSha('by-key/b.txt'), sha256('hello ferry\n'));
    assert.deepEqual(await blobNames('by-key/a.txt'), []);
    expectExit(await cli(['rm', '-r', `${base}/by-key`], azKeyEnv), 0);
    assert.deepEqual(await blobNames('by-key'), []);

    const sas = generateAccountSASQueryParameters(
      {
        permissions: AccountSASPermissions.parse('rl'),
        services: 'b',
        resourceTypes: 'sco',
        expiresOn: new Date(Date.now() + 3600_000),
      },
      new StorageSharedKeyCredential(azurite.account, azurite.accountKey),
    ).toString();
    const { AZURE_STORAGE_KEY: _key, ...accountOnly } = azKeyEnv;
    const bySas = await cli(['cp', `${base}/up/big.bin`, path.join(work, 'by-sas.bin')], {
      ...accountOnly,
      AZURE_STORAGE_SAS_TOKEN: sas,
    });
    expectExit(bySas, 0);
    assert.equal(
      sha256(await readFile(path.join(work, 'by-sas.bin'))),
      sha256(await readFile(path.join(src, 'big.bin'))),
    );

    const wrongKey = await cli(['ls', `${base}/up`], {
      ...azKeyEnv,
      AZURE_STORAGE_KEY: randomBytes(64).toString('base64'),
    });
    expectExit(wrongKey, 1);
    assert.match(wrongKey.stderr, /^fileferry: /);
  });

  it('copies local → s3:// → az:// → local, byte for byte (SHA-256)', async () => {
    const original = path.join(work, 'journey.bin');
    const bytes = randomBytes(9 * 1024 * 1024 + 123); // above one S3 part and one Azure block
    await writeFile(original, bytes);
    const env = { ...s3Env, ...azConnectionStringEnv };
    expectExit(await cli(['cp', original, `s3://${BUCKET}/journey/`], env), 0);
    expectExit(
      await cli(['cp', `s3://${BUCKET}/journey/journey.bin`, `az://${azurite.account}/${CONTAINER}/journey/`], env),
      0,
    );
    const back = path.join(work, 'journey-back.bin');
    expectExit(await cli(['cp', `az://${azurite.account}/${CONTAINER}/journey/journey.bin`, back], env), 0);
    assert.equal(sha256(await readFile(back)), sha256(bytes));
    assert.equal(await s3Sha(BUCKET, 'journey/journey.bin'), sha256(bytes));
    assert.equal(await blobSha('journey/journey.bin'), sha256(bytes));
  });

  it('--storage-class sets the S3 storage class and the Azure access tier, read back from the listing', async () => {
    const file = path.join(src, 'a.txt');
    expectExit(await cli(['cp', '--storage-class', 'standard_ia', file, `s3://${BUCKET}/classes/`], s3Env), 0);
    const s3Listing = await cli(['ls', '--json', `s3://${BUCKET}/classes`], s3Env);
    expectExit(s3Listing, 0);
    assert.deepEqual(
      jsonLines<ListedEntry>(s3Listing.stdout).map((e) => [e.name, e.storageClass]),
      [['a.txt', 'STANDARD_IA']],
    );
    const head = await s3Client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'classes/a.txt' }));
    assert.equal(head.StorageClass, 'STANDARD_IA');
    // The human listing shows the class before the name, as the S3 console does.
    assert.match(
      (await cli(['ls', `s3://${BUCKET}/classes`], s3Env)).stdout,
      /^- +\d+ +\S+ \S+ +STANDARD_IA +a\.txt$/m,
    );

    const base = `az://${azurite.account}/${CONTAINER}`;
    expectExit(await cli(['cp', '--storage-class', 'COOL', file, `${base}/tiers/`], azConnectionStringEnv), 0);
    const azListing = await cli(['ls', '--json', `${base}/tiers`], azConnectionStringEnv);
    expectExit(azListing, 0);
    assert.deepEqual(
      jsonLines<ListedEntry>(azListing.stdout).map((e) => [e.name, e.storageClass]),
      [['a.txt', 'Cool']],
    );
    const properties = await blobService.getContainerClient(CONTAINER).getBlobClient('tiers/a.txt').getProperties();
    assert.equal(properties.accessTier, 'Cool');
    assert.match(
      (await cli(['ls', `${base}/tiers`], azConnectionStringEnv)).stdout,
      /^- +\d+ +\S+ \S+ +Cool +a\.txt$/m,
    );

    // Checked against the target's kind before anything is copied: usage errors (exit 2).
    const azureTierToS3 = await cli(['cp', '--storage-class', 'Cool', file, `s3://${BUCKET}/classes/b.txt`], s3Env);
    expectExit(azureTierToS3, 2);
    assert.match(azureTierToS3.stderr, /"Cool" is not an S3 storage class\. Choose one of STANDARD, STANDARD_IA/);
    const s3ClassToAzure = await cli(
      ['cp', '--storage-class', 'GLACIER', file, `${base}/tiers/b.txt`],
      azConnectionStringEnv,
    );
    expectExit(s3ClassToAzure, 2);
    assert.match(s3ClassToAzure.stderr, /not an Azure access tier\. Choose one of Hot, Cool, Cold, Archive/);
    const toLocal = await cli(['cp', '--storage-class', 'Hot', file, path.join(work, 'local-copy.txt')]);
    expectExit(toLocal, 2);
    assert.match(toLocal.stderr, /--storage-class applies to S3 and Azure Blob targets/);
    assert.ok(!existsSync(path.join(work, 'local-copy.txt')));
    assert.deepEqual(await s3Keys('classes/b.txt'), []);

    // An archived object says so in the human listing too, beside one that can be read.
    expectExit(await cli(['cp', '--storage-class', 'GLACIER', file, `s3://${BUCKET}/archived/cold.txt`], s3Env), 0);
    expectExit(await cli(['cp', file, `s3://${BUCKET}/archived/warm.txt`], s3Env), 0);
    const archived = await cli(['ls', `s3://${BUCKET}/archived`], s3Env);
    expectExit(archived, 0);
    assert.match(archived.stdout, /^- .* GLACIER +cold\.txt {2}\[not readable until restored\]$/m);
    assert.match(archived.stdout, /^- .* STANDARD +warm\.txt$/m);
  });

  // As `aws s3 cp` and Storage Explorer: a copy never creates a bucket or a container, so a typo in its name
  // fails instead of leaving a new one (in the default region) behind. `mkdir` creates them.
  it('cp into a bucket or container that does not exist fails and creates neither', async () => {
    const file = path.join(src, 'a.txt');
    const base = `az://${azurite.account}`;
    for (const [what, args, env] of [
      ['bucket', ['cp', file, 's3://ferry-typo/a.txt'], s3Env],
      ['bucket', ['cp', '-r', src, 's3://ferry-typo'], s3Env],
      ['container', ['cp', file, `${base}/ferry-typo/a.txt`], azConnectionStringEnv],
      ['container', ['cp', '-r', src, `${base}/ferry-typo/into`], azConnectionStringEnv],
    ] as const) {
      const result = await cli([...args], env);
      expectExit(result, 1);
      assert.match(result.stderr, new RegExp(`The ${what} "ferry-typo" does not exist\\. Check the name, or create`));
    }
    const buckets = await s3Client.send(new ListBucketsCommand({}));
    assert.ok(!(buckets.Buckets ?? []).some((b) => b.Name === 'ferry-typo'), 'no bucket was created');
    assert.equal(await blobService.getContainerClient('ferry-typo').exists(), false, 'no container was created');
    // mkdir creates one; then the same copy goes through.
    expectExit(await cli(['mkdir', 's3://ferry-typo'], s3Env), 0);
    expectExit(await cli(['cp', file, 's3://ferry-typo/a.txt'], s3Env), 0);
    assert.equal(await s3Sha('ferry-typo', 'a.txt'), sha256(await readFile(file)));
  });

  it('rm of a whole bucket or container needs --force; with it, it goes with everything in it', async () => {
    const file = path.join(src, 'a.txt');
    const base = `az://${azurite.account}`;
    for (const [address, env, gone] of [
      [
        's3://ferry-whole',
        s3Env,
        async () => !(await s3Client.send(new ListBucketsCommand({}))).Buckets?.some((b) => b.Name === 'ferry-whole'),
      ],
      [
        `${base}/ferry-whole`,
        azConnectionStringEnv,
        async () => !(await blobService.getContainerClient('ferry-whole').exists()),
      ],
    ] as const) {
      expectExit(await cli(['mkdir', address], env), 0);
      expectExit(await cli(['cp', file, `${address}/a.txt`], env), 0);
      const refused = await cli(['rm', '-r', address], env);
      expectExit(refused, 2);
      assert.match(refused.stderr, /is a whole (bucket|container)\. To remove it with everything in it, add --force/);
      assert.equal(await gone(), false, `${address} is still there`);
      expectExit(await cli(['rm', '-r', '--force', address], env), 0);
      assert.equal(await gone(), true, `${address} was removed`);
    }
  });

  it('explains bad addresses and missing credentials, without stack traces', async () => {
    const badBucket = await cli(['ls', 's3://Bad_Bucket/x'], s3Env);
    expectExit(badBucket, 2);
    assert.match(badBucket.stderr, /"Bad_Bucket" is not a valid bucket name\. S3 bucket names are 3 to 63 characters/);

    const badContainer = await cli(['cp', path.join(src, 'a.txt'), `az://${azurite.account}/Bad_Container/x`], {
      ...azConnectionStringEnv,
    });
    expectExit(badContainer, 2);
    assert.match(badContainer.stderr, /not a valid Azure container name/);

    const otherAccount = await cli(['ls', `az://otheraccount/${CONTAINER}`], azConnectionStringEnv);
    expectExit(otherAccount, 2);
    assert.match(
      otherAccount.stderr,
      /names the account "otheraccount", but AZURE_STORAGE_CONNECTION_STRING is for "devstoreaccount1"/,
    );

    const noBucket = await cli(['ls', 's3:///key'], s3Env);
    expectExit(noBucket, 2);
    assert.match(noBucket.stderr, /names no bucket/);

    const noAzureCredentials = await cli(['ls', `az://${azurite.account}/${CONTAINER}`]);
    expectExit(noAzureCredentials, 1);
    assert.match(noAzureCredentials.stderr, /No Azure credentials .* AZURE_STORAGE_CONNECTION_STRING/);

    const missing = await cli(['cp', `s3://${BUCKET}/no-such-file`, path.join(work, 'x')], s3Env);
    expectExit(missing, 1);
    assert.match(missing.stderr, /^fileferry: .*no-such-file/m);

    // s3rver checks the access key ID (it does not verify SigV4 signatures), so the refusal comes from an
    // unknown key ID; the secret beside it must still appear nowhere.
    const secret = 'canary-aws-secret-' + randomBytes(8).toString('hex');
    const refused = await cli(['ls', `s3://${BUCKET}/up`], {
      ...s3Env,
      AWS_ACCESS_KEY_ID: 'AKIANOSUCHKEY',
      AWS_SECRET_ACCESS_KEY: secret,
    });
    expectExit(refused, 1);
    assert.match(refused.stderr, /^fileferry: /);
    assert.ok(!refused.stderr.includes(secret));
    // At the bucket itself the refusal is to a HEAD request, whose answer has no body to name the cause.
    const atBucket = await cli(['ls', `s3://${BUCKET}`], { ...s3Env, AWS_ACCESS_KEY_ID: 'AKIANOSUCHKEY' });
    expectExit(atBucket, 1);
    assert.match(atBucket.stderr, /was denied\. Check the access key and secret/);
    assert.doesNotMatch(atBucket.stderr, /Unknown/);
  });

  it('logs to FILEFERRY_HOME/logs/cli.log, which holds no secret from the environment', async () => {
    const sasCanary = `sv=2024-11-04&ss=b&sig=canary${randomBytes(12).toString('hex')}`;
    const awsCanary = 'canary-aws-' + randomBytes(12).toString('hex');
    const sessionCanary = 'canary-session-' + randomBytes(12).toString('hex');
    // Failing runs log the most (errors with their causes), so each secret here is one the service refuses.
    const unknownKey = { ...s3Env, AWS_ACCESS_KEY_ID: 'AKIANOSUCHKEY' };
    expectExit(await cli(['ls', `s3://${BUCKET}/up`], { ...unknownKey, AWS_SECRET_ACCESS_KEY: awsCanary }), 1);
    expectExit(await cli(['ls', `s3://${BUCKET}/up`], { ...unknownKey, AWS_SESSION_TOKEN: sessionCanary }), 1);
    expectExit(
      await cli(['cp', path.join(src, 'a.txt'), `s3://${BUCKET}/logged/`], {
        ...s3Env,
        AWS_SESSION_TOKEN: sessionCanary,
      }),
      0,
    );
    const sasEnv = {
      AZURE_STORAGE_ACCOUNT: azurite.account,
      AZURE_STORAGE_SAS_TOKEN: sasCanary,
      AZURE_STORAGE_BLOB_ENDPOINT: azurite.endpoint,
    };
    expectExit(await cli(['ls', `az://${azurite.account}/${CONTAINER}/up`], sasEnv), 1);
    expectExit(await cli(['ls', `az://${azurite.account}/${CONTAINER}/up`], azKeyEnv), 0);
    expectExit(await cli(['ls', `az://${azurite.account}/${CONTAINER}/nope`], azConnectionStringEnv), 1);

    const logFile = path.join(home, 'logs', 'cli.log');
    assert.ok(existsSync(logFile), `${logFile} exists`);
    const lines = (await readFile(logFile, 'utf8')).trim().split('\n');
    assert.ok(lines.some((line) => /"msg":"command started"/.test(line)));
    assert.ok(
      lines.some((line) => /"level":"warn"/.test(line)),
      'failures are logged',
    );
    const hits = await scanForCanaries(
      [home],
      [awsCanary, sessionCanary, sasCanary.split('sig=')[1]!, azurite.accountKey],
    );
    assert.deepEqual(hits, [], 'no secret from the environment is written under FILEFERRY_HOME');
  });
});

// rclone (Debian's /usr/bin/rclone) beside the S3 provider on the same s3rver, behind the proxy that gives multipart
// objects AWS's "…-N" ETags: each reads the other's modification times (rclone's X-Amz-Meta-Mtime) and the MD5
// of multipart objects (X-Amz-Meta-Md5chksum), so `rclone check` can check FileFerry's uploads by hash.
// rclone is configured by environment variables only, with a config file of its own, so nothing of the machine's
// rclone setup (or AWS credentials) is used.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { s3SpecSchema } from '../../shared/connection';
import type { Provider } from '../../shared/provider';
import { createLogger } from '../../main/core/log/logger';
import { openS3Provider } from '../../main/core/providers/s3';
import { collect, patternBytes } from '../helpers/pattern';
import { startS3rver, type S3rverServer } from '../helpers/s3rver';
import { startAwsEtagProxy, type AwsEtagProxy } from '../helpers/aws-etag-proxy';

const RCLONE = '/usr/bin/rclone';
const MiB = 1024 * 1024;
const log = createLogger({ test: 's3-rclone' });

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('s3 provider beside rclone (s3rver behind the AWS-form ETag proxy)', () => {
  let server: S3rverServer;
  let proxy: AwsEtagProxy;
  let work: string;
  const providers: Provider[] = [];

  const open = async (bucket: string) => {
    const provider = await openS3Provider(
      s3SpecSchema.parse(server.spec(bucket, { endpoint: proxy.endpoint, partSizeMiB: 5, uploadConcurrency: 2 })),
      { secrets: async (field) => (field === 'secretAccessKey' ? server.secretAccessKey : undefined), log },
    );
    providers.push(provider);
    return provider;
  };

  const rclone = (...args: string[]): Promise<Run> => {
    // Only what rclone needs: no AWS_* variable of the machine (AWS_CA_BUNDLE breaks its S3 backend here).
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: work,
      TZ: 'UTC',
      RCLONE_CONFIG: join(work, 'rclone.conf'),
      RCLONE_CACHE_DIR: join(work, 'cache'),
      RCLONE_CONFIG_S3_TYPE: 's3',
      RCLONE_CONFIG_S3_PROVIDER: 'Other',
      RCLONE_CONFIG_S3_ENDPOINT: proxy.endpoint,
      RCLONE_CONFIG_S3_REGION: 'us-east-1',
      RCLONE_CONFIG_S3_ACCESS_KEY_ID: server.accessKeyId,
      RCLONE_CONFIG_S3_SECRET_ACCESS_KEY: server.secretAccessKey,
      RCLONE_CONFIG_S3_FORCE_PATH_STYLE: 'true',
      RCLONE_CONFIG_S3_NO_CHECK_BUCKET: 'true',
      // Multipart above 5 MiB, as FileFerry's test connection, so rclone's own md5chksum is exercised too.
      RCLONE_CONFIG_S3_UPLOAD_CUTOFF: '5M',
      RCLONE_CONFIG_S3_CHUNK_SIZE: '5M',
    };
    return new Promise((resolve) =>
      execFile(RCLONE, args, { env, timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
    );
  };

  before(async () => {
    await access(RCLONE).catch(() => {
      throw new Error(`rclone is missing at ${RCLONE}: install it with \`apt-get install rclone\` (Debian's package).`);
    });
    work = await mkdtemp(join(tmpdir(), 'ferry-rclone-'));
    await writeFile(join(work, 'rclone.conf'), '');
    server = await startS3rver({ buckets: ['interop', 'checked'] });
    proxy = await startAwsEtagProxy(server.endpoint);
  });
  after(async () => {
    for (const provider of providers) await provider.close();
    await proxy?.stop();
    await server?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("shows rclone's modification times and multipart MD5 in FileFerry's stat", async () => {
    const provider = await open('interop');
    const local = join(work, 'up');
    await mkdir(local);
    const small = Buffer.from('uploaded by rclone\n');
    const big = await collect(patternBytes('rclone-big', 11 * MiB));
    await writeFile(join(local, 'small.txt'), small);
    await writeFile(join(local, 'big.bin'), big);
    const smallTime = Date.UTC(2020, 4, 6, 7, 8, 9, 123);
    const bigTime = Date.UTC(2019, 0, 2, 3, 4, 5, 678);
    await utimes(join(local, 'small.txt'), smallTime / 1000, smallTime / 1000);
    await utimes(join(local, 'big.bin'), bigTime / 1000, bigTime / 1000);
    const copied = await rclone('copy', local, 's3:interop/from-rclone');
    assert.equal(copied.code, 0, copied.stderr);
    assert.match(proxy.multipartEtag('interop', 'from-rclone/big.bin') ?? '', /-3$/, 'rclone uploaded it in parts');

    const smallEntry = await provider.stat('/from-rclone/small.txt');
    assert.equal(smallEntry.modified, smallTime, "rclone's time, not the upload's");
    const bigEntry = await provider.stat('/from-rclone/big.bin');
    assert.equal(bigEntry.modified, bigTime);
    assert.equal(bigEntry.hashes?.md5, createHash('md5').update(big).digest('hex'), "rclone's md5chksum");
  });

  it("shows FileFerry's modification times in rclone lsl", async () => {
    const provider = await open('interop');
    await provider.mkdir('/from-ferry');
    const when = Date.UTC(2021, 1, 3, 4, 5, 6, 789);
    await provider.write('/from-ferry/small.bin', patternBytes('ff-small', 1000), { modified: when });
    await provider.write('/from-ferry/big.bin', patternBytes('ff-big', 11 * MiB), { modified: when + 1000 });
    const listed = await rclone('lsl', 's3:interop/from-ferry');
    assert.equal(listed.code, 0, listed.stderr);
    // "     1000 2021-02-03 04:05:06.789000000 small.bin" (TZ=UTC)
    const times = new Map(
      listed.stdout
        .trim()
        .split('\n')
        .map((line) => /^\s*\d+ (\S+ \S+) (.+)$/.exec(line)!)
        .map((m) => [m[2]!, Date.parse(`${m[1]!.replace(' ', 'T').slice(0, 23)}Z`)]),
    );
    assert.equal(times.get('small.bin'), when, listed.stdout);
    assert.equal(times.get('big.bin'), when + 1000, listed.stdout);
  });

  it("lets rclone check and md5sum FileFerry's multipart uploads by MD5, not by their -N ETag", async () => {
    const provider = await open('checked');
    const local = join(work, 'check');
    await mkdir(local);
    const files = { 'big.bin': 11 * MiB, 'two.bin': 5 * MiB + 1, 'small.bin': 4096 };
    const md5s = new Map<string, string>();
    for (const [name, size] of Object.entries(files)) {
      const bytes = await collect(patternBytes(name, size));
      await writeFile(join(local, name), bytes);
      md5s.set(name, createHash('md5').update(bytes).digest('hex'));
      await provider.write(`/${name}`, patternBytes(name, size), { size });
    }
    assert.match(proxy.multipartEtag('checked', 'big.bin') ?? '', /^[0-9a-f]{32}-3$/, 'an AWS-form ETag is served');

    const sums = await rclone('md5sum', 's3:checked');
    assert.equal(sums.code, 0, sums.stderr);
    const byName = new Map(
      sums.stdout
        .trim()
        .split('\n')
        .map((line) => [line.slice(34), line.slice(0, 32)]),
    );
    for (const [name, md5] of md5s) assert.equal(byName.get(name), md5, `rclone md5sum of ${name}: ${sums.stdout}`);

    const checked = await rclone('check', local, 's3:checked');
    assert.equal(checked.code, 0, checked.stderr);
    assert.match(checked.stderr, /0 differences found/);
    assert.match(checked.stderr, /3 matching files/);
    assert.doesNotMatch(checked.stderr, /could not be checked/);
  });
});

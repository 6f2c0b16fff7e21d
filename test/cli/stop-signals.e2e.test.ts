// `fileferry cp` stopped by SIGTERM (kill, a service manager) or SIGHUP (its terminal closed) cancels the
// copy as Ctrl-C does before it exits: the S3 multipart upload under way is aborted, no object appears and
// the run's queue folder goes. Node's default would exit at once and leave the upload behind, stored (and,
// on AWS, billed) until a lifecycle rule removes it. The exit code says which signal it was.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HeadObjectCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import {
  startS3rver,
  s3rverClient,
  S3RVER_ACCESS_KEY_ID,
  S3RVER_SECRET_ACCESS_KEY,
  type S3rverServer,
} from '../helpers/s3rver';
import { until } from '../helpers/until';
import { writePatternFile } from '../transfers/cloud-fixtures';
import { expectExit, noMachineAws, startCli, type CliEnv } from './run-cli';

const BUCKET = 'stops';
/** Large enough that the upload is still under way when the first progress line arrives. */
const SIZE = 200 * 1024 * 1024;

describe('fileferry cp stopped by a signal', () => {
  let s3: S3rverServer;
  let work: string;
  let env: CliEnv;

  before(async () => {
    s3 = await startS3rver({ buckets: [BUCKET] });
    work = await mkdtemp(path.join(tmpdir(), 'ferry-cli-stop-'));
    await writePatternFile(path.join(work, 'big.bin'), 'stop', SIZE);
    env = {
      ...noMachineAws(work),
      AWS_ACCESS_KEY_ID: S3RVER_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: S3RVER_SECRET_ACCESS_KEY,
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_S3: s3.endpoint,
    };
  });
  after(async () => {
    await s3?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    it(`${signal}: the multipart upload is aborted, nothing is left, exit ${code}`, async () => {
      const home = path.join(work, `home-${signal}`);
      const key = `${signal}.bin`;
      const running = startCli(home, ['cp', '--json', path.join(work, 'big.bin'), `s3://${BUCKET}/${key}`], env);
      await until(() => /"bytesDone":[1-9]/.test(running.stdout()), 30_000, 'bytes under way');
      running.child.kill(signal);
      const result = await running.result;
      expectExit(result, code);
      assert.match(result.stdout, /"state":"cancelled"/, 'the job was cancelled, not cut off');

      const client = s3rverClient(s3);
      const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
      assert.deepEqual(uploads.Uploads ?? [], [], 'ListMultipartUploads is empty');
      assert.deepEqual(await s3.uploadsOnDisk(BUCKET), [], 'no parts stored on the server');
      await assert.rejects(client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })), { name: 'NotFound' });
      assert.deepEqual(await readdir(path.join(home, 'cli-runs')).catch(() => []), [], "no run's queue left");
    });
  }
});

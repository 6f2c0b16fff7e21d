// `fileferry summarize` as a user runs it, against the Bedrock and Azure OpenAI protocol stubs, reading files from
// an FTP server (ftp-srv) and S3 (s3rver): the consent rules (a terminal asks; a script needs --yes or gets exit
// 2 and nothing is sent), the text streamed to stdout, the cache, --json, --max-bytes bounding what is read, and
// the fallback said on stderr.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { SummaryPreview, SummaryResult } from '../../shared/summaries';
import { startAzureOpenAIStub, type AzureOpenAIStub } from '../helpers/azure-openai-stub';
import { startBedrockStub, type BedrockStub } from '../helpers/bedrock-stub';
import { startFtpServer, type FtpServerHandle } from '../helpers/ftp-server';
import {
  S3RVER_ACCESS_KEY_ID,
  S3RVER_SECRET_ACCESS_KEY,
  s3rverClient,
  startS3rver,
  type S3rverServer,
} from '../helpers/s3rver';
import { expectExit, noMachineAws, runCli, runCliOnTerminal, type CliEnv } from './run-cli';

const BUCKET = 'summaries';
const ONE_PIXEL_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

describe('fileferry summarize', () => {
  let work: string;
  let bedrock: BedrockStub;
  let azure: AzureOpenAIStub;
  let ftp: FtpServerHandle;
  let s3: S3rverServer;
  let env: CliEnv;
  let homes = 0;
  const newHome = () => path.join(work, `home-${++homes}`);
  let ftpBase: string;

  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'ferry-summarize-e2e-'));
    [bedrock, azure, ftp, s3] = await Promise.all([
      startBedrockStub(),
      startAzureOpenAIStub(),
      startFtpServer(),
      startS3rver({ buckets: [BUCKET] }),
    ]);
    env = {
      ...noMachineAws(work),
      AWS_ACCESS_KEY_ID: S3RVER_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: S3RVER_SECRET_ACCESS_KEY,
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.url,
      FILEFERRY_PASSWORD: ftp.password,
      FILEFERRY_SUMMARY_RETRY_MS: '5',
    };
    ftpBase = `ftp://${ftp.user}@${ftp.host}:${ftp.port}`;
    await writeFile(path.join(ftp.root, 'report.txt'), 'Quarterly report: revenue rose.\n'.repeat(50));
    await writeFile(path.join(ftp.root, 'big.log'), '2026-12-08 INFO started\n'.repeat(100_000));
  });

  after(async () => {
    await Promise.all([bedrock?.close(), azure?.close(), ftp?.stop(), s3?.stop()]);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('without a terminal and without --yes sends nothing and exits 2 saying why', async () => {
    const calls = bedrock.requests.length;
    const result = await runCli(newHome(), ['summarize', `${ftpBase}/report.txt`], env);
    expectExit(result, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /sends its content to AWS Bedrock/);
    assert.match(result.stderr, /about \d+ input tokens, about \$0\.\d{4} at most/);
    assert.match(result.stderr, /nothing was sent.*--yes/s);
    assert.equal(bedrock.requests.length, calls);
  });

  it('with --yes streams the summary to stdout, then answers from the cache without asking', async () => {
    const home = newHome();
    bedrock.script({ chunks: ['Revenue ', 'rose in ', 'the quarter.'], delayMs: 30 });
    const calls = bedrock.requests.length;
    const first = await runCli(home, ['summarize', '--yes', `${ftpBase}/report.txt`], env);
    expectExit(first, 0);
    assert.equal(first.stdout, 'Revenue rose in the quarter.\n');
    assert.match(first.stderr, /written by AWS Bedrock global\.anthropic\.claude-haiku-4-5[^;]*; [\d.]+ KiB sent/);
    assert.equal(bedrock.requests.length, calls + 1);
    assert.equal(bedrock.requests.at(-1)!.operation, 'converse-stream');

    // The consent is remembered for the connection, and the unchanged file comes from the cache.
    const second = await runCli(home, ['summarize', `${ftpBase}/report.txt`], env);
    expectExit(second, 0);
    assert.equal(second.stdout, 'Revenue rose in the quarter.\n');
    assert.match(second.stderr, /from the cache .*nothing was sent/);
    assert.equal(bedrock.requests.length, calls + 1);
  });

  it('on a terminal shows what will be sent and asks', async () => {
    const home = newHome();
    const calls = bedrock.requests.length;
    const declined = await runCliOnTerminal(
      home,
      ['summarize', `${ftpBase}/report.txt`],
      [{ prompt: /Send it, and allow summaries of this connection from now on\? \[y\/N\]/, reply: 'n' }],
      env,
    );
    assert.equal(declined.code, 2, declined.stdout);
    assert.match(declined.stdout, /1\.56 KiB read/);
    assert.equal(bedrock.requests.length, calls);

    bedrock.script({ chunks: ['Agreed summary.'] });
    const agreed = await runCliOnTerminal(
      home,
      ['summarize', `${ftpBase}/report.txt`],
      [{ prompt: /\[y\/N\]/, reply: 'y' }],
      env,
    );
    assert.equal(agreed.code, 0, agreed.stdout);
    assert.match(agreed.stdout, /Agreed summary\./);
    assert.equal(bedrock.requests.length, calls + 1);
  });

  it('--json and --max-bytes: reads no more than asked from S3, and says so in one JSON object', async () => {
    const client = s3rverClient(s3);
    await client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'data/big.csv',
        Body: 'id,name,amount\n' + '1,ferry,2.50\n'.repeat(50_000),
      }),
    );
    client.destroy();
    bedrock.script({ chunks: ['A CSV of amounts.'] });
    const result = await runCli(
      newHome(),
      ['summarize', '--yes', '--json', '--max-bytes', '4096', `s3://${BUCKET}/data/big.csv`],
      env,
    );
    expectExit(result, 0);
    const { preview, result: summary } = JSON.parse(result.stdout) as {
      preview: SummaryPreview;
      result: SummaryResult;
    };
    assert.equal(summary.text, 'A CSV of amounts.');
    assert.equal(preview.kind, 'csv');
    assert.ok(preview.bytesRead <= 4096, `read ${preview.bytesRead} bytes`);
    assert.equal(preview.truncated, true);
    assert.match(preview.description, /about [\d,]+ rows/);

    const bad = await runCli(newHome(), ['summarize', '--max-bytes', 'lots', `s3://${BUCKET}/data/big.csv`], env);
    expectExit(bad, 2);
    assert.match(bad.stderr, /--max-bytes takes a whole number/);
  });

  it('uses Azure OpenAI from its variables when Bedrock has no credentials, and says so', async () => {
    azure.script({ chunks: ['From ', 'Azure.'] });
    const { AWS_ACCESS_KEY_ID: _id, AWS_SECRET_ACCESS_KEY: _secret, ...noKeys } = env;
    const calls = bedrock.requests.length;
    const result = await runCli(newHome(), ['summarize', '--yes', `${ftpBase}/report.txt`], {
      ...noKeys,
      AZURE_OPENAI_ENDPOINT: azure.endpoint,
      AZURE_OPENAI_API_KEY: 'ferry-test-azure-key',
      AZURE_OPENAI_DEPLOYMENT: 'gpt-4o-mini',
    });
    expectExit(result, 0);
    assert.equal(result.stdout, 'From Azure.\n');
    assert.match(result.stderr, /AWS Bedrock has no credentials here; Azure OpenAI \(gpt-4o-mini\) answered instead/);
    assert.match(result.stderr, /written by Azure OpenAI gpt-4o-mini/);
    assert.equal(bedrock.requests.length, calls);
  });

  it('signs Bedrock requests with the credentials of AWS_PROFILE, as the AWS CLI would', async () => {
    const credentials = path.join(work, 'aws-credentials');
    await writeFile(
      credentials,
      '[ferry-summaries]\naws_access_key_id = AKIDFROMPROFILE\naws_secret_access_key = profile-secret\n',
    );
    const { AWS_ACCESS_KEY_ID: _id, AWS_SECRET_ACCESS_KEY: _secret, ...noKeys } = env;
    bedrock.script({ chunks: ['From the profile.'] });
    const result = await runCli(newHome(), ['summarize', '--yes', '--region', 'eu-west-1', `${ftpBase}/report.txt`], {
      ...noKeys,
      AWS_PROFILE: 'ferry-summaries',
      AWS_SHARED_CREDENTIALS_FILE: credentials,
    });
    expectExit(result, 0);
    assert.equal(result.stdout, 'From the profile.\n');
    const request = bedrock.requests.at(-1)!;
    assert.equal(request.accessKeyId, 'AKIDFROMPROFILE');
    assert.match(String(request.headers.authorization), /\/eu-west-1\/bedrock\/aws4_request/, '--region signs for it');
  });

  it('describes a binary without sending it, and says clearly when Bedrock refuses', async () => {
    await writeFile(path.join(ftp.root, 'photo.png'), Buffer.from(ONE_PIXEL_PNG, 'base64'));
    const calls = bedrock.requests.length;
    const png = await runCli(newHome(), ['summarize', `${ftpBase}/photo.png`], env);
    expectExit(png, 0);
    assert.match(png.stdout, /PNG/);
    assert.match(png.stderr, /nothing was sent/);
    assert.equal(bedrock.requests.length, calls);

    bedrock.script({ error: 'AccessDeniedException', message: 'not authorized' });
    const denied = await runCli(newHome(), ['summarize', '--yes', `${ftpBase}/report.txt`], env);
    expectExit(denied, 1);
    assert.match(denied.stderr, /model access|permission/i);
  });
});

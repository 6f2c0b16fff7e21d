// The real service through web mode's WebSocket, driven by the renderer's own client (createApiClient over
// connectWebSocket, with the `ws` package standing in for the browser's WebSocket), against real servers on
// loopback: ftp-srv and s3rver. Listings arrive page by page, transfers report their events to completion,
// an overwrite question is answered, a listing is cancelled, and invalid arguments change nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { WebSocket } from 'ws';
import { API_VERSION, type FileFerryApi, type ListingPage } from '../../shared/api';
import { UPLOAD_PATH, WIRE_PATH } from '../../shared/api/wire';
import type { TransferEvent } from '../../shared/transfers';
import { createApiService } from '../../main/core/api/service';
import type { ApiService } from '../../main/core/api/types';
import { ConnectionStore } from '../../main/core/connections';
import { SessionCredentialStore } from '../../main/core/credentials';
import { startWebServer, type WebServer } from '../../main/server';
import { createApiClient } from '../../renderer/src/api/client';
import { expectClientError } from '../helpers/expect-error';
import { connectWebSocket } from '../../renderer/src/api/ws-transport';
import { startFtpServer, type FtpServerHandle } from '../helpers/ftp-server';
import { s3rverClient, startS3rver, type S3rverServer } from '../helpers/s3rver';
import { until } from '../helpers/until';
import { removeDirs, tempDir } from '../transfers/fixtures';
import { admit, send } from './web-client';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const BUCKET = 'web-bucket';

describe('the API over the WebSocket, against real servers', () => {
  const dirs: string[] = [];
  let ftp: FtpServerHandle;
  let s3: S3rverServer;
  let service: ApiService;
  let server: WebServer;
  let socket: WebSocket;
  let api: FileFerryApi;
  let cookie: string;
  let ftpId: string;
  let s3Id: string;
  const transferEvents: TransferEvent[] = [];
  const pages: ListingPage[] = [];

  before(async () => {
    [ftp, s3] = await Promise.all([startFtpServer(), startS3rver({ buckets: [BUCKET] })]);
    const dataDir = await tempDir('ferry-web-data-');
    const rendererDir = await tempDir('ferry-web-renderer-');
    dirs.push(dataDir, rendererDir);
    await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>FileFerry</title>');
    const store = new ConnectionStore({ dataDir, credentials: new SessionCredentialStore('test') });
    service = await createApiService({ dataDir, version: '9.9.9', shell: 'web', connections: store });
    server = await startWebServer({ rendererDir, service });
    cookie = await admit(server.url);
    socket = new WebSocket(`${server.origin.replace(/^http/, 'ws')}${WIRE_PATH}`, { headers: { Cookie: cookie } });
    api = createApiClient(await connectWebSocket(socket));
    api.on('transfer', (event) => void transferEvents.push(event));
    api.on('listing', (page) => void pages.push(page));
    ftpId = (
      await api.connections.add({ draft: { name: 'ftp', spec: ftp.spec() }, secrets: { password: ftp.password } })
    ).connection.id;
    s3Id = (
      await api.connections.add({
        draft: { name: 's3', spec: s3.spec(BUCKET) },
        secrets: { secretAccessKey: s3.secretAccessKey },
      })
    ).connection.id;
  });
  after(async () => {
    socket?.close();
    await server?.close();
    await service?.close();
    await Promise.all([ftp?.stop(), s3?.stop()]);
    await removeDirs(...dirs);
  });

  const jobEvents = (jobId: string) =>
    transferEvents.filter((e) => e.type !== 'queue' && (e.type === 'job' ? e.job.id === jobId : e.jobId === jobId));
  const completed = (jobId: string) =>
    until(
      () =>
        jobEvents(jobId).some((e) => e.type === 'job' && ['completed', 'failed', 'cancelled'].includes(e.job.state)),
      30_000,
      `job ${jobId} to end`,
    );

  it('answers app.info: the API version the renderer shows', async () => {
    const info = await api.app.info();
    assert.equal(info.api, API_VERSION);
    assert.equal(info.version, '9.9.9');
    assert.equal(info.shell, 'web');
    assert.equal(info.capabilities.dragOut, false);
  });

  it('lists a folder of 3,000 entries in several pages, as listing events', async () => {
    await mkdir(join(ftp.root, 'many'));
    for (let i = 0; i < 3000; i++) await writeFile(join(ftp.root, 'many', `f${i}.txt`), '');
    const result = await api.browse.list({
      listingId: 'many',
      location: { connection: { savedId: ftpId }, path: '/many' },
    });
    assert.equal(result.count, 3000);
    const mine = pages.filter((p) => p.listingId === 'many');
    assert.ok(mine.length >= 3, `${mine.length} pages`);
    assert.equal(mine[mine.length - 1]!.done, 'complete');
    const names = new Set(mine.flatMap((p) => p.entries.map((e) => e.name)));
    assert.equal(names.size, 3000);
    assert.equal(mine[mine.length - 2]!.count, 3000, 'each page says how many so far');
  });

  it('runs a transfer from S3 to the local disk and reports its progress, files and job to completion', async () => {
    const local = await tempDir('ferry-web-local-');
    dirs.push(local);
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    await s3rverClient(s3).send(new PutObjectCommand({ Bucket: BUCKET, Key: 'reports/big.bin', Body: bytes }));
    const job = await api.transfers.add({
      source: { connection: { savedId: s3Id }, path: '/reports/big.bin' },
      target: { connection: { spec: { kind: 'local', root: local } }, path: '/' },
      intoFolder: true,
    });
    await completed(job.id);
    const events = jobEvents(job.id);
    const last = events.filter((e) => e.type === 'job').at(-1)!;
    assert.ok(last.type === 'job' && last.job.state === 'completed', JSON.stringify(last));
    assert.equal(last.job.filesDone, 1);
    assert.ok(
      events.some((e) => e.type === 'progress' && e.progress.bytesDone > 0),
      'progress arrived',
    );
    assert.ok(
      events.some(
        (e) => e.type === 'files' && e.changes.some((c) => c.path === '/reports/big.bin' && c.state === 'done'),
      ),
      'the file change arrived',
    );
    assert.equal(sha256(await readFile(join(local, 'big.bin'))), sha256(bytes));
    assert.equal((await api.transfers.list()).find((j) => j.id === job.id)?.state, 'completed');
  });

  it("asks before overwriting ('ask'): the ask event, then transfers.answer", async () => {
    const local = await tempDir('ferry-web-ask-');
    dirs.push(local);
    const bytes = randomBytes(200_000);
    await writeFile(join(ftp.root, 'down.bin'), bytes);
    await writeFile(join(local, 'down.bin'), 'an older copy');
    const job = await api.transfers.add({
      source: { connection: { savedId: ftpId }, path: '/down.bin' },
      target: { connection: { spec: { kind: 'local', root: local } }, path: '/' },
      intoFolder: true,
      overwrite: 'ask',
    });
    await until(() => jobEvents(job.id).some((e) => e.type === 'ask'), 20_000, 'the question');
    const ask = jobEvents(job.id).find((e): e is Extract<TransferEvent, { type: 'ask' }> => e.type === 'ask')!;
    assert.equal(ask.target.size, 'an older copy'.length);
    assert.equal(ask.source.size, bytes.length);
    assert.equal(await readFile(join(local, 'down.bin'), 'utf8'), 'an older copy', 'nothing written before the answer');
    assert.equal(await api.transfers.answer({ askId: ask.askId, answer: 'overwrite' }), true);
    await completed(job.id);
    assert.equal(sha256(await readFile(join(local, 'down.bin'))), sha256(bytes));
  });

  it("takes a dropped file's bytes by PUT and streams them through the queue to the target", async () => {
    const bytes = randomBytes(1024 * 1024 + 5);
    const { uploadId, job } = await api.transfers.upload({
      target: { connection: { savedId: ftpId }, path: '/' },
      files: [{ name: 'dropped.bin', size: bytes.length }],
    });
    const answer = await send(server.origin, `${UPLOAD_PATH}/${uploadId}/0`, bytes, {
      Cookie: cookie,
      Origin: server.origin,
    });
    assert.equal(answer.status, 204, answer.body);
    await completed(job.id);
    const last = jobEvents(job.id)
      .filter((e) => e.type === 'job')
      .at(-1)!;
    assert.ok(last.type === 'job' && last.job.state === 'completed', JSON.stringify(last));
    assert.equal(sha256(await readFile(join(ftp.root, 'dropped.bin'))), sha256(bytes));
  });

  it('cancels a listing under way: it fails with Cancelled, its last page says so, nothing follows', async () => {
    await mkdir(join(ftp.root, 'slow'));
    for (let i = 0; i < 3000; i++) await writeFile(join(ftp.root, 'slow', `s${i}.txt`), '');
    const listing = api.browse.list({ listingId: 'slow', location: { connection: { savedId: ftpId }, path: '/slow' } });
    await api.browse.cancel({ listingId: 'slow' });
    await expectClientError(listing, 'Cancelled');
    const mine = () => pages.filter((p) => p.listingId === 'slow');
    assert.equal(mine().at(-1)!.done, 'cancelled');
    const seen = mine().length;
    await api.app.info(); // a round trip: anything the listing still sent would have arrived before its answer
    assert.equal(mine().length, seen);
  });

  it('refuses a method called with invalid arguments with InvalidInput, and changes nothing', async () => {
    const connections = await api.connections.list();
    const jobs = await api.transfers.list();
    const settings = await api.settings.get();
    const error = await expectClientError(
      api.transfers.add({ source: { path: '/a' }, target: 42 } as never),
      'InvalidInput',
    );
    assert.match(error.message, /transfers\.add is not valid/);
    await expectClientError(
      api.connections.add({ draft: { name: 'x', spec: { kind: 'ftp' } } } as never),
      'InvalidInput',
    );
    await expectClientError(api.settings.set({ theme: 'purple' } as never), 'InvalidInput');
    await expectClientError(
      api.browse.remove({ location: { connection: { savedId: ftpId }, path: 7 } } as never),
      'InvalidInput',
    );
    assert.deepEqual(await api.connections.list(), connections);
    assert.deepEqual(
      (await api.transfers.list()).map((j) => j.id),
      jobs.map((j) => j.id),
    );
    assert.deepEqual(await api.settings.get(), settings);
    assert.ok(
      (await api.browse.stat({ location: { connection: { savedId: ftpId }, path: '/many' } })).type === 'folder',
    );
  });
});

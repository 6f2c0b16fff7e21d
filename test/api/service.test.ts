// The service layer (main/core/api) as any transport drives it: method names and raw arguments in, results,
// events and typed errors out, against real servers on loopback (ftp-srv, s3rver). Invalid arguments are
// refused before anything happens; errors name the full address; no secret ever comes back; settings persist.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ApiEventKind, ApiEvents, ListingPage } from '../../shared/api';
import type { TransferEvent } from '../../shared/transfers';
import { createApiService } from '../../main/core/api/service';
import { ApiCallError, type ApiService, type CallContext } from '../../main/core/api/types';
import { ConnectionStore } from '../../main/core/connections';
import { SessionCredentialStore } from '../../main/core/credentials';
import { startFtpServer, type FtpServerHandle } from '../helpers/ftp-server';
import { startS3rver, type S3rverServer } from '../helpers/s3rver';
import { until } from '../helpers/until';
import { removeDirs, tempDir } from '../transfers/fixtures';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A caller's own events (listing pages), kept in order. */
function caller(): CallContext & { events: Array<{ kind: ApiEventKind; payload: unknown }> } {
  const events: Array<{ kind: ApiEventKind; payload: unknown }> = [];
  return { events, emit: (kind, payload) => void events.push({ kind, payload }) };
}

async function expectApiError(promise: Promise<unknown>, code: string, message?: RegExp): Promise<ApiCallError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ApiCallError, `an ApiCallError, not ${String(error)}`);
    assert.equal(error.error.code, code, error.error.message);
    if (message) assert.match(error.error.message, message);
    return error;
  }
  assert.fail(`expected ${code}`);
}

describe('the API service', () => {
  const dirs: string[] = [];
  let ftp: FtpServerHandle;
  let s3: S3rverServer;
  let service: ApiService;
  let dataDir: string;
  let store: ConnectionStore;
  const broadcast: Array<{ kind: ApiEventKind; payload: ApiEvents[ApiEventKind] }> = [];
  let ftpId: string;

  before(async () => {
    [ftp, s3] = await Promise.all([startFtpServer(), startS3rver()]);
    dataDir = await tempDir('ferry-api-');
    dirs.push(dataDir);
    store = new ConnectionStore({ dataDir, credentials: new SessionCredentialStore('test') });
    service = await createApiService({ dataDir, version: '9.9.9', shell: 'web', connections: store });
    service.on((kind, payload) => void broadcast.push({ kind, payload }));
    const spec = ftp.spec();
    const saved = (await service.call(
      'connections.add',
      { draft: { name: 'pub', spec }, secrets: { password: ftp.password } },
      caller(),
    )) as { connection: { id: string } };
    ftpId = saved.connection.id;
  });
  after(async () => {
    await service?.close();
    await Promise.all([ftp?.stop(), s3?.stop()]);
    await removeDirs(...dirs);
  });

  it('answers app.info with its version and the API version', async () => {
    const info = (await service.call('app.info', undefined, caller())) as {
      version: string;
      api: number;
      shell: string;
    };
    assert.equal(info.version, '9.9.9');
    assert.equal(info.api, 4);
    assert.equal(info.shell, 'web');
  });

  it('refuses an unknown method and invalid arguments with InvalidInput, changing nothing', async () => {
    await expectApiError(service.call('nope.nothing', {}, caller()), 'InvalidInput', /no method/);
    await expectApiError(
      service.call('connections.add', { draft: { name: 'x:y', spec: { kind: 'ftp' } } }, caller()),
      'InvalidInput',
      /connections\.add is not valid/,
    );
    await expectApiError(
      service.call('transfers.add', { source: { path: '/a' }, target: 42 }, caller()),
      'InvalidInput',
    );
    await expectApiError(service.call('settings.set', { theme: 'purple' }, caller()), 'InvalidInput');
    await expectApiError(service.call('browse.rename', { location: 'nowhere' }, caller()), 'InvalidInput');
    const names = ((await service.call('connections.list', undefined, caller())) as Array<{ name: string }>).map(
      (c) => c.name,
    );
    assert.deepEqual(names, ['pub'], 'nothing was saved');
    assert.deepEqual(await service.call('transfers.list', undefined, caller()), [], 'nothing was queued');
  });

  it('never sends a secret back: a summary says which secrets are stored', async () => {
    const list = await service.call('connections.list', undefined, caller());
    assert.doesNotMatch(JSON.stringify(list), new RegExp(ftp.password));
    assert.deepEqual((list as Array<{ storedSecrets: string[] }>)[0]!.storedSecrets, ['password']);
    assert.match((list as Array<{ address: string }>)[0]!.address, /^ftp:\/\/ferry@127\.0\.0\.1:\d+\/$/);
  });

  it('lists a large folder page by page, as the pages arrive', async () => {
    await mkdir(join(ftp.root, 'many'));
    for (let i = 0; i < 3000; i++) await writeFile(join(ftp.root, 'many', `f${i}.txt`), '');
    const context = caller();
    const result = (await service.call(
      'browse.list',
      { listingId: 'L1', location: { connection: { savedId: ftpId }, path: '/many' } },
      context,
    )) as { count: number };
    assert.equal(result.count, 3000);
    const pages = context.events.filter((e) => e.kind === 'listing').map((e) => e.payload as ListingPage);
    assert.ok(pages.length >= 3, `${pages.length} pages`);
    assert.equal(pages[pages.length - 1]!.done, 'complete');
    assert.equal(pages.flatMap((p) => p.entries).length, 3000);
    assert.ok(pages.every((p) => p.listingId === 'L1'));
  });

  it('cancels a listing under way: its last event says so and nothing more arrives', async () => {
    await mkdir(join(ftp.root, 'slow'));
    for (let i = 0; i < 2000; i++) await writeFile(join(ftp.root, 'slow', `s${i}.txt`), '');
    const context = caller();
    const listing = service.call(
      'browse.list',
      { listingId: 'L2', location: { connection: { savedId: ftpId }, path: '/slow' } },
      context,
    );
    await service.call('browse.cancel', { listingId: 'L2' }, caller());
    await expectApiError(listing, 'Cancelled');
    const last = context.events[context.events.length - 1]!.payload as ListingPage;
    assert.equal(last.done, 'cancelled');
  });

  it('names the full address in an error, never a bare path', async () => {
    const error = await expectApiError(
      service.call(
        'browse.stat',
        { location: { connection: { savedId: ftpId }, path: '/no/such/file.txt' } },
        caller(),
      ),
      'NotFound',
    );
    assert.match(error.error.message, /ftp:\/\/ferry@127\.0\.0\.1:\d+\/no\/such\/file\.txt/);
    const s3saved = (await service.call(
      'connections.add',
      { draft: { name: 's3', spec: s3.spec('nobucket') }, secrets: { secretAccessKey: s3.secretAccessKey } },
      caller(),
    )) as { connection: { id: string } };
    const s3error = await expectApiError(
      service.call(
        'browse.stat',
        { location: { connection: { savedId: s3saved.connection.id }, path: '/key.txt' } },
        caller(),
      ),
      'NotFound',
    );
    assert.match(s3error.error.message, /s3:\/\/nobucket\/key\.txt/);
    await service.call('connections.remove', { id: s3saved.connection.id }, caller());
  });

  it('makes, renames and removes folders on the server; a rename never replaces an entry', async () => {
    const at = (path: string) => ({ connection: { savedId: ftpId }, path });
    await service.call('browse.mkdir', { location: at('/made') }, caller());
    await writeFile(join(ftp.root, 'taken.txt'), 'mine');
    await expectApiError(
      service.call('browse.rename', { location: at('/made'), to: '/taken.txt' }, caller()),
      'AlreadyExists',
    );
    await service.call('browse.rename', { location: at('/made'), to: '/renamed' }, caller());
    assert.ok((await readdir(ftp.root)).includes('renamed'));
    await service.call('browse.remove', { location: at('/renamed') }, caller());
    assert.ok(!(await readdir(ftp.root)).includes('renamed'));
    assert.equal(await readFile(join(ftp.root, 'taken.txt'), 'utf8'), 'mine');
  });

  it('runs a transfer with its events, and asks before overwriting', async () => {
    const local = await tempDir('ferry-api-local-');
    dirs.push(local);
    const bytes = randomBytes(300_000);
    await writeFile(join(ftp.root, 'down.bin'), bytes);
    await writeFile(join(local, 'down.bin'), 'an older copy');
    const events = () => broadcast.filter((e) => e.kind === 'transfer').map((e) => e.payload as TransferEvent);
    const job = (await service.call(
      'transfers.add',
      {
        source: { connection: { savedId: ftpId }, path: '/down.bin' },
        target: { connection: { spec: { kind: 'local', root: local } }, path: '/' },
        intoFolder: true,
        overwrite: 'ask',
      },
      caller(),
    )) as { id: string };
    await until(() => events().some((e) => e.type === 'ask' && e.jobId === job.id), 20_000, 'the question');
    const ask = events().find((e): e is Extract<TransferEvent, { type: 'ask' }> => e.type === 'ask')!;
    assert.equal(ask.target.size, 'an older copy'.length);
    assert.equal(await service.call('transfers.answer', { askId: ask.askId, answer: 'overwrite' }, caller()), true);
    await until(
      () => events().some((e) => e.type === 'job' && e.job.id === job.id && e.job.state === 'completed'),
      20_000,
      'completed',
    );
    assert.equal(sha256(await readFile(join(local, 'down.bin'))), sha256(bytes));
    assert.ok(events().some((e) => e.type === 'progress' && e.jobId === job.id));
    assert.ok(events().some((e) => e.type === 'files' && e.changes.some((c) => c.state === 'done')));
  });

  it('keeps settings: validated, saved, announced', async () => {
    const changed = (await service.call('settings.set', { theme: 'dark', showHidden: true }, caller())) as {
      theme: string;
      confirmDelete: boolean;
    };
    assert.equal(changed.theme, 'dark');
    assert.equal(changed.confirmDelete, true, 'what the change did not name stays');
    assert.ok(broadcast.some((e) => e.kind === 'settings'));
    const saved = JSON.parse(await readFile(join(dataDir, 'settings.json'), 'utf8')) as { settings: { theme: string } };
    assert.equal(saved.settings.theme, 'dark');
  });
});

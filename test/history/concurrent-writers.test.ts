// Several processes record into one data folder's history at once: the app's engine and a `fileferry cp` run
// (the real command, in a process of its own), and two processes opening a history that does not exist yet.
// Every record is kept; neither process loses its history to the other.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Provider, ReadOptions } from '../../shared/provider';
import { schemaVersion, openDatabase } from '../../main/core/db/sqlite';
import { HISTORY_FILE, HistoryStore, openHistory } from '../../main/core/history';
import { HISTORY_MIGRATIONS } from '../../main/core/history/schema';
import { createLogger } from '../../main/core/log/logger';
import { until, within } from '../helpers/until';
import {
  holdUntilReleased,
  localRef,
  openEngine,
  openLocal,
  removeDirs,
  slowReads,
  tempDir,
  wrapProvider,
  writeRandomFile,
  type ReadLog,
} from '../transfers/fixtures';
import { expectExit, startCli } from '../cli/run-cli';

const log = createLogger({ test: 'concurrent-writers' });

describe('two processes recording into one history', () => {
  const dirs: string[] = [];
  after(() => removeDirs(...dirs));

  it('an engine here and a fileferry cp in another process, at once: exactly N + M records, all done', async () => {
    const [home, work] = [await tempDir('ferry-history-home-'), await tempDir('ferry-history-work-')];
    dirs.push(home, work);
    const N = 30;
    const M = 40;
    for (let i = 0; i < N; i++)
      await writeRandomFile(join(work, 'engine-src', `e${String(i).padStart(2, '0')}.bin`), 1500);
    for (let i = 0; i < M; i++) await writeRandomFile(join(work, 'cli-src', `c${String(i).padStart(2, '0')}.bin`), 900);

    // The second half of the engine's files waits until the command line has written its first record, so
    // both processes are writing records at the same time.
    const gate = holdUntilReleased();
    const reads: ReadLog = { offsets: [], bytes: 0 };
    let opened = 0;
    const gated = async (): Promise<Provider> => {
      const slow = slowReads(await openLocal(join(work, 'engine-src')), reads, 64 * 1024, 20);
      return wrapProvider(slow, {
        read: async (path: string, options?: ReadOptions) => {
          if (++opened > N / 2) await gate.held;
          return slow.read(path, options);
        },
      });
    };
    const history = await openHistory(home, 'test', log);
    const { engine } = await openEngine(home, { gated }, { history: history.options, perSiteConcurrency: 2 });
    let cli: ReturnType<typeof startCli> | undefined;
    try {
      const job = engine.add({
        source: { connection: { savedId: 'gated' }, path: '/' },
        target: { connection: localRef(work), path: '/engine-dst' },
        recursive: true,
      });
      await until(() => (engine.get(job.id)?.filesDone ?? 0) >= N / 2, 20_000, 'the first half copied');

      cli = startCli(home, ['cp', '-r', join(work, 'cli-src'), join(work, 'cli-dst')]);
      await until(() => history.store.count({ text: 'cli-src' }) > 0, 30_000, "the command line's first record");
      gate.release();
      const [result, done] = await Promise.all([cli.result, engine.waitFor(job.id)]);
      expectExit(result, 0);
      assert.doesNotMatch(result.stderr, /warning/i, 'no warning (the history was opened and written)');
      assert.equal(done.state, 'completed');
    } finally {
      gate.release();
      if (cli?.child.exitCode === null) cli.child.kill();
      await engine.close();
    }

    const records = [...history.store.all()];
    history.close();
    assert.equal(records.length, N + M);
    assert.equal(new Set(records.map((r) => r.id)).size, N + M, 'no record twice');
    assert.deepEqual(
      records.filter((r) => r.result !== 'done').map((r) => `${r.source} ${r.result}`),
      [],
    );
    const fromCli = records.filter((r) => r.source.includes('cli-src'));
    const fromEngine = records.filter((r) => r.source.startsWith('saved:gated:'));
    assert.equal(fromCli.length, M);
    assert.equal(fromEngine.length, N);
    assert.equal(new Set(records.map((r) => r.deviceId)).size, 1, 'one data folder, one device');
    // They did overlap: some engine file started after the command line's first and before its last end.
    const cliFirst = Math.min(...fromCli.map((r) => r.startedAt));
    assert.ok(
      fromEngine.some((r) => r.endedAt! >= cliFirst),
      'the engine was still recording once the CLI started',
    );
  });

  it('a process opening a new history while another is creating it waits for it and uses it', async () => {
    const dir = await tempDir('ferry-history-open-');
    dirs.push(dir);
    const file = join(dir, HISTORY_FILE);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'migrate-holder-child.ts'), file, '1500'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await until(() => stdout.includes('held') || child.exitCode !== null, 20_000, 'the child holding the schema');
      assert.ok(stdout.includes('held'), stderr);
      assert.ok(!stdout.includes('committed'));

      // Reads version 0 (the child's schema is not committed), then waits for the write lock.
      const { store, setAside } = await HistoryStore.open(dir);
      try {
        assert.equal(setAside, undefined, 'a history being created is not damaged');
        store.write([
          {
            id: 'parent:0',
            jobId: 'parent',
            source: '/a',
            destination: '/b',
            sourceConnection: 'local',
            destinationConnection: 'local',
            bytesDone: 1,
            startedAt: Date.now(),
            result: 'done',
            deviceId: 'd',
            deviceName: 'here',
            appVersion: 'test',
            updatedAt: Date.now(),
          },
        ]);
        assert.equal(store.count(), 1);
      } finally {
        store.close();
      }
      assert.equal(await within(20_000, exited, 'the child'), 0, stderr);
      assert.ok(stdout.includes('committed'));
      const raw = openDatabase(file);
      assert.equal(schemaVersion(raw), HISTORY_MIGRATIONS.length);
      raw.close();
    } finally {
      if (child.exitCode === null) child.kill();
    }
  });
});

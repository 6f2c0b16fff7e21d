// Issue 16: a folder of 100,000 entries in the window, in Chromium against web mode (`fileferry serve`), from
// the local disk, vsftpd and s3rver. For each: the time from the request (the Enter in the address bar) to the
// first rows painted and to the footer saying the listing is complete, the main-thread time of each frame while
// the grid scrolls from top to bottom, the page's JavaScript heap, and the serve process's memory.
//   first rows                                                   goal: under 1 s
//   the complete listing, local                                  goal: within 2× GNU `ls -l` of the folder
//   the complete listing, FTP                                    goal: within 2× curl's LIST of the folder
//   95th percentile of the frames while scrolling                goal: under 16 ms
//   the page's heap after a garbage collection                   goal: under 150 MiB
//   the serve process's peak RSS                                 goal: under 200 MiB
// `fileferry ls` of each folder is timed beside them for reference (the whole process, as in the cli suite).
// Each round starts its own serve process and browser page, so a peak RSS is that source's alone.
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { Browser, CDPSession } from 'playwright-core';
import { startS3rver, s3rverClient } from '../test/helpers/s3rver';
import { startVsftpd } from '../test/helpers/vsftpd';
import { ensureRendererBuilt, launchBrowser, openApp, startApp } from '../test/ui/harness';
import { ensureCliBuilt, LAUNCHER } from './lib/cli-build';
import type { BenchContext } from './lib/context';
import { reportServerLoad, runPeer } from './lib/measure';
import { fastest, median, table, type Goal, type Measurement } from './lib/report';
import { armRequest, installProbe, scrollFrames, waitListed } from './lib/ui-probe';
import { watchServers } from './lib/server-load';

const KiB = 1024;
const MiB = 1024 * KiB;
const FOLDER = 'ui-100k';
const BUCKET = 'ui-bench';
const EXTENSIONS = ['txt', 'jpg', 'pdf', 'csv', 'log', 'json', 'png', 'zip'];
/** The longest a listing may take before the round fails (s3rver re-reads the whole prefix for every page). */
const LISTING_TIMEOUT_MS = 15 * 60_000;

interface Source {
  /** What BENCH_UI_SOURCES names it by. */
  key: 'local' | 'ftp' | 's3';
  name: string;
  address: string;
  /** The peer whose listing the complete listing is held to (2×), when the issue names one. */
  peer?: string;
}

export interface UiRound {
  source: string;
  entries: number;
  firstRowMs: number;
  completeMs: number;
  frames: { p50: number; p95: number; max: number; count: number; late: number };
  heapMiB: number;
  heapPeakMiB: number;
  servePeakMiB: number;
  serveNowMiB: number;
  /** CPU of the serve process and the servers during the listing, as a share of one core. */
  load: string;
  /** Main-thread busy time of the page during the listing (Chromium's TaskDuration). */
  pageBusyMs: number;
}

export async function uiBench(
  ctx: BenchContext,
): Promise<{ measurements: Measurement[]; goals: Goal[]; tables: string[] }> {
  const entries = ctx.uiEntries;
  const rounds = ctx.repeat ?? 2;
  const scrollMs = ctx.uiScrollSeconds * 1000;
  ctx.say(`building the renderer and the command if they are not up to date`);
  ensureRendererBuilt();
  await ensureCliBuilt(ctx.say);

  const [vsftpd, s3] = await Promise.all([startVsftpd(), startS3rver()]);
  const forget = ctx.onInterrupt(async () => void (await Promise.allSettled([vsftpd.stop(), s3.stop()])));
  let browser: Browser | undefined;
  try {
    const folder = join(vsftpd.root, 'pub', FOLDER);
    const names = Array.from({ length: entries }, (_, i) => nameOf(i));
    ctx.say(`creating ${entries.toLocaleString('en')} files in ${folder} (served by vsftpd too)`);
    await createFolder(folder, names);
    const ftpFolder = `ftp://127.0.0.1:${vsftpd.port}/pub/${FOLDER}`;
    const sources = (
      [
        { key: 'local', name: 'local', address: folder, peer: 'ls -l' },
        { key: 'ftp', name: 'FTP (vsftpd)', address: ftpFolder, peer: 'curl' },
        { key: 's3', name: 'S3 (s3rver)', address: `s3://${BUCKET}/${FOLDER}` },
      ] satisfies Source[]
    ).filter((source) => !ctx.uiSources || ctx.uiSources.includes(source.key));
    if (sources.length === 0) throw new Error('BENCH_UI_SOURCES names none of local, ftp, s3');
    const runs = (key: Source['key']) => sources.some((source) => source.key === key);
    if (runs('s3')) {
      ctx.say(`seeding ${entries.toLocaleString('en')} objects under s3://${BUCKET}/${FOLDER}/`);
      await seedS3(s3, names);
    }
    const awsEnv = {
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_REGION: 'us-east-1',
    };
    const home = join(ctx.workDir, 'ui-home');
    await mkdir(home, { recursive: true });
    const last = names[names.length - 1]!;
    const lists = (out: string) => out.includes(last) && out.split('\n').length > entries;
    const label = (source: string) => `list ${entries.toLocaleString('en')} ${source}`;

    // The peers and `fileferry ls`, whole processes under GNU time.
    const measurements: Measurement[] = [];
    const peer = async (source: string, tool: string, command: string, args: string[]) => {
      const run = await runPeer(command, args, { FILEFERRY_HOME: home, ...awsEnv });
      if (!lists(run.stdout)) throw new Error(`${tool} did not list the ${source} folder: ${run.stdout.slice(0, 300)}`);
      measurements.push({
        case: label(source),
        tool,
        bytes: 0,
        files: entries,
        ms: run.wallMs,
        cpuMs: run.cpuMs,
        peakRssKiB: run.peakRssKiB,
        serverLoad: run.serverLoad,
      });
    };
    for (let n = 0; n < rounds; n++) {
      ctx.say(`ls -l, curl and fileferry ls: round ${n + 1} of ${rounds}`);
      await ensureCliBuilt(ctx.say);
      if (runs('local')) {
        await peer('local', 'ls -l', 'ls', ['-l', folder]);
        await peer('local', 'fileferry ls', process.execPath, [LAUNCHER, 'ls', folder]);
      }
      if (runs('ftp')) {
        await peer('FTP (vsftpd)', 'curl', 'curl', ['-sS', '--fail', `${ftpFolder}/`]);
        await peer('FTP (vsftpd)', 'fileferry ls', process.execPath, [LAUNCHER, 'ls', ftpFolder]);
      }
      if (runs('s3')) {
        reportServerLoad({ s3rver: s3.pid });
        await peer('S3 (s3rver)', 'fileferry ls', process.execPath, [LAUNCHER, 'ls', `s3://${BUCKET}/${FOLDER}`]);
        reportServerLoad({});
      }
    }

    // The window.
    browser = await launchBrowser();
    const results: UiRound[] = [];
    for (let n = 0; n < rounds; n++) {
      for (const source of sources) {
        ctx.say(`${source.name} in the window: round ${n + 1} of ${rounds}`);
        await ensureCliBuilt(ctx.say);
        const servers: Record<string, number> = source.name.startsWith('S3') ? { s3rver: s3.pid } : {};
        const result = await measureWindow(ctx, browser, home, awsEnv, source, entries, scrollMs, servers);
        results.push(result);
        ctx.say(
          `  first rows ${seconds(result.firstRowMs)}, complete ${seconds(result.completeMs)}, frames p95 ` +
            `${result.frames.p95.toFixed(1)} ms, heap ${result.heapMiB.toFixed(0)} MiB, serve peak ${result.servePeakMiB.toFixed(0)} MiB`,
        );
        measurements.push({
          case: label(source.name),
          tool: 'FileFerry window',
          bytes: 0,
          files: entries,
          ms: result.completeMs,
          peakRssKiB: result.servePeakMiB * KiB,
          serverLoad: result.load,
          note: 'request → footer complete; RSS: the serve process',
        });
      }
    }
    return { measurements, goals: goalsOf(sources, results, measurements, label), tables: [formatRounds(results)] };
  } finally {
    forget();
    await browser?.close();
    await Promise.allSettled([vsftpd.stop(), s3.stop()]);
  }
}

/** "file-000042.jpg": the extensions vary, so the Type column does. */
function nameOf(index: number): string {
  return `file-${String(index).padStart(6, '0')}.${EXTENSIONS[index % EXTENSIONS.length]}`;
}

/** Small files of a few sizes, written in batches (the folder is vsftpd's too: readable by its `ftp` user). */
async function createFolder(folder: string, names: string[]): Promise<void> {
  await mkdir(folder, { recursive: true, mode: 0o755 });
  const batch = 500;
  for (let at = 0; at < names.length; at += batch) {
    await Promise.all(
      names.slice(at, at + batch).map((name, i) => writeFile(join(folder, name), name.repeat(1 + ((at + i) % 8)))),
    );
  }
}

/**
 * 100,000 PUTs take s3rver several minutes; what it serves a listing from is its folder on disk. So one object
 * is PUT through its API and its files (the object, its metadata and its MD5) are copied under the other
 * names, exactly as s3rver would have written them; the listing then runs through s3rver's own code. (Copied,
 * not hard-linked: ext4 allows 65,000 links to a file.)
 */
async function seedS3(s3: Awaited<ReturnType<typeof startS3rver>>, names: string[]): Promise<void> {
  const client = s3rverClient(s3);
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const first = names[0]!;
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${FOLDER}/${first}`, Body: `${first}\n` }));
  const dir = join(s3.dataDir, BUCKET, FOLDER);
  const written = (await readdir(dir)).filter((file) => file.startsWith(`${first}.`));
  if (written.length < 2)
    throw new Error(`s3rver's files for ${first} were not found in ${dir}: ${written.join(', ')}`);
  const batch = 500;
  for (let at = 1; at < names.length; at += batch) {
    await Promise.all(
      names
        .slice(at, at + batch)
        .flatMap((name) =>
          written.map((file) => copyFile(join(dir, file), join(dir, `${name}${file.slice(first.length)}`))),
        ),
    );
  }
}

async function measureWindow(
  ctx: BenchContext,
  browser: Browser,
  home: string,
  env: Record<string, string>,
  source: Source,
  entries: number,
  scrollMs: number,
  servers: Record<string, number>,
): Promise<UiRound> {
  const profileDir = ctx.cpuProfileDir ? join(ctx.cpuProfileDir, `ui-${source.name.split(' ')[0]}`) : undefined;
  // BENCH_CPU_PROF profiles the page only: Node 20 refuses --cpu-prof in NODE_OPTIONS, and startApp passes
  // no arguments to node.
  const app = await startApp(home, env);
  const pid = app.child.pid!;
  try {
    const ui = await openApp(browser, app);
    await installProbe(ui.page);
    await ui.page.reload();
    await ui.grid('left').waitFor();
    const cdp = await ui.context.newCDPSession(ui.page);
    await cdp.send('Performance.enable');
    if (profileDir) await cdp.send('Profiler.enable').then(() => cdp.send('Profiler.start'));
    const busyBefore = await metric(cdp, 'TaskDuration');

    await armRequest(ui.page, 'left');
    const bar = ui.pane('left').getByRole('textbox', { name: 'Address' });
    await bar.focus();
    await bar.fill(source.address);
    let heapPeak = 0;
    const sampler = setInterval(() => {
      void cdp
        .send('Runtime.getHeapUsage')
        .then((usage) => (heapPeak = Math.max(heapPeak, usage.usedSize)))
        .catch(() => undefined);
    }, 500);
    const load = watchServers({ 'fileferry serve': pid, ...servers });
    await bar.press('Enter');
    const expected = `${entries.toLocaleString('en')} items`;
    const times = await waitListed(ui.page, 'left', expected, LISTING_TIMEOUT_MS).finally(() => clearInterval(sampler));
    const listingLoad = load();
    const pageBusyMs = ((await metric(cdp, 'TaskDuration')) - busyBefore) * 1000;

    const frames = await scrollFrames(ui.page, 'left', scrollMs);
    if (frames.lastRowIndex !== entries + 1)
      throw new Error(`the grid did not reach its last row (row ${frames.lastRowIndex} of ${entries + 1})`);
    if (profileDir) {
      const { profile } = await cdp.send('Profiler.stop');
      await mkdir(profileDir, { recursive: true });
      await writeFile(join(profileDir, `renderer-${Date.now()}.cpuprofile`), JSON.stringify(profile));
    }
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = await metric(cdp, 'JSHeapUsedSize');
    const memory = serveMemory(pid);
    if (ui.errors.length > 0) ctx.say(`  the page reported errors: ${ui.errors.slice(0, 3).join(' | ')}`);
    await ui.context.close();
    const sorted = [...frames.work].sort((a, b) => a - b);
    const frameInterval = 1000 / 60;
    return {
      source: source.name,
      entries,
      firstRowMs: times.firstRowMs,
      completeMs: times.completeMs,
      frames: {
        p50: percentile(sorted, 0.5),
        p95: percentile(sorted, 0.95),
        max: sorted[sorted.length - 1] ?? 0,
        count: sorted.length,
        late: frames.intervals.filter((interval) => interval > frameInterval * 1.5).length / frames.intervals.length,
      },
      heapMiB: heap / MiB,
      heapPeakMiB: Math.max(heapPeak, heap) / MiB,
      servePeakMiB: memory.peakKiB / KiB,
      serveNowMiB: memory.nowKiB / KiB,
      load: listingLoad,
      pageBusyMs,
    };
  } finally {
    await app.stop();
  }
}

async function metric(cdp: CDPSession, name: string): Promise<number> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const found = metrics.find((m) => m.name === name);
  if (!found) throw new Error(`Chromium reported no ${name}`);
  return found.value;
}

/** The process's peak (VmHWM) and current (VmRSS) resident memory, KiB. */
function serveMemory(pid: number): { peakKiB: number; nowKiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { peakKiB: field('VmHWM'), nowKiB: field('VmRSS') };
}

function percentile(sorted: number[], share: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)]!;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function goalsOf(
  sources: Source[],
  results: UiRound[],
  measurements: Measurement[],
  label: (source: string) => string,
): Goal[] {
  const goals: Goal[] = [];
  for (const source of sources) {
    const mine = results.filter((r) => r.source === source.name);
    if (mine.length === 0) continue;
    const best = (pick: (r: UiRound) => number) => Math.min(...mine.map(pick));
    const worst = (pick: (r: UiRound) => number) => Math.max(...mine.map(pick));
    const medianOf = (pick: (r: UiRound) => number) => median(mine.map(pick));
    const rounds = `${mine.length} round${mine.length === 1 ? '' : 's'}`;
    const first = best((r) => r.firstRowMs);
    goals.push({
      what: `${source.name}: first rows under 1 s`,
      met: first < 1000,
      detail: `${seconds(first)} (goal < 1 s); median ${seconds(medianOf((r) => r.firstRowMs))}, ${rounds}`,
    });
    if (source.peer) {
      const peerRounds = measurements.filter((m) => m.case === label(source.name) && m.tool === source.peer);
      const peerBest = fastest(peerRounds).ms;
      const complete = best((r) => r.completeMs);
      const ratio = complete / peerBest;
      goals.push({
        what: `${source.name}: complete listing within 2× ${source.peer}`,
        met: ratio <= 2,
        detail:
          `${seconds(complete)} = ${ratio.toFixed(2)}× ${source.peer}'s ${seconds(peerBest)} (goal ≤ 2×); ` +
          `medians ${(medianOf((r) => r.completeMs) / median(peerRounds.map((m) => m.ms))).toFixed(2)}×, ${rounds}`,
      });
    }
    const p95 = best((r) => r.frames.p95);
    goals.push({
      what: `${source.name}: frames while scrolling, p95 under 16 ms`,
      met: p95 < 16,
      detail: `${p95.toFixed(1)} ms (goal < 16 ms); worst round ${worst((r) => r.frames.p95).toFixed(1)} ms`,
    });
    const heap = worst((r) => r.heapMiB);
    goals.push({
      what: `${source.name}: page heap under 150 MiB`,
      met: heap < 150,
      detail: `${heap.toFixed(0)} MiB after GC (goal < 150 MiB); peak seen ${worst((r) => r.heapPeakMiB).toFixed(0)} MiB`,
    });
    const rss = worst((r) => r.servePeakMiB);
    goals.push({
      what: `${source.name}: serve process under 200 MiB`,
      met: rss < 200,
      detail: `peak RSS ${rss.toFixed(0)} MiB (goal < 200 MiB); at the end ${worst((r) => r.serveNowMiB).toFixed(0)} MiB`,
    });
  }
  return goals;
}

function formatRounds(results: UiRound[]): string {
  const head = [
    'window, per round',
    'first rows s',
    'complete s',
    'entries/s',
    'frame p50 ms',
    'p95 ms',
    'max ms',
    'late frames',
    'heap MiB',
    'heap peak MiB',
    'serve peak MiB',
    'serve end MiB',
    'page busy s',
    'CPU during the listing (1 core = 100 %)',
  ];
  const rows = results.map((r) => [
    r.source,
    (r.firstRowMs / 1000).toFixed(2),
    (r.completeMs / 1000).toFixed(2),
    Math.round(r.entries / (r.completeMs / 1000)).toLocaleString('en'),
    r.frames.p50.toFixed(1),
    r.frames.p95.toFixed(1),
    r.frames.max.toFixed(1),
    `${(r.frames.late * 100).toFixed(0)} % of ${r.frames.count}`,
    r.heapMiB.toFixed(0),
    r.heapPeakMiB.toFixed(0),
    r.servePeakMiB.toFixed(0),
    r.serveNowMiB.toFixed(0),
    (r.pageBusyMs / 1000).toFixed(2),
    r.load,
  ]);
  return table(head, rows, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
}

// Issue 15, point 6: the `fileferry` command as a person runs it — the whole process, start-up included —
// beside the tools it stands beside, in the same run, against vsftpd on loopback:
//   `fileferry --version` beside a bare `node -e 0`                          goal: within 4×
//   `fileferry ls` of a folder of three files beside `curl --list-only`      goal: under 0.3 s
//   `fileferry cp` of 512 MiB FTP→local and local→FTP beside curl           goal: ≥ 0.9× curl
// Every figure here is the wall time of a process under GNU time (runPeer), FileFerry's and the peers' alike:
// curl's own time_total (which the ftp suite uses) would leave out its start-up, the very thing measured here.
// FileFerry runs through its launcher (main/cli/fileferry.mjs, the `fileferry` of `npm ci`), which runs the
// built JavaScript in out/cli/: the suite builds it first, and again whenever a source changed meanwhile (the
// launcher would run the sources through tsx then, which is not what a user of a checkout or the app runs).
import { link, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startVsftpd } from '../test/helpers/vsftpd';
import { ensureCliBuilt, LAUNCHER } from './lib/cli-build';
import type { BenchContext } from './lib/context';
import { assertSameDigest, MiB, sha256OfFile, writeRandomFile } from './lib/files';
import { runPeer } from './lib/measure';
import { inTurn } from './lib/rounds';
import { fastest, median, ratioGoal, sizeLabel, type Goal, type Measurement } from './lib/report';

/** The size: large enough that the transfer dominates, small enough for a quick suite. */
const BIG_BYTES = 512 * MiB;
const SMALL_FILES = ['a.txt', 'b.txt', 'c.txt'];

export async function cliBench(ctx: BenchContext): Promise<{ measurements: Measurement[]; goals: Goal[] }> {
  const measurements: Measurement[] = [];
  const goals: Goal[] = [];
  // A start-up round takes a fraction of a second and single ones vary most on shared cores: three times
  // the rounds of the copies.
  const repeat = ctx.repeat ?? 5;
  const startupRounds = repeat * 3;
  const server = await startVsftpd();
  const forget = ctx.onInterrupt(() => server.stop());
  try {
    const tools = new Tools(ctx);
    await mkdir(tools.home, { recursive: true });
    await mkdir(tools.outDir, { recursive: true });
    /** One round of each tool, in alternating order (lib/rounds). */
    const round = (n: number, ours: () => Promise<Measurement>, peer: () => Promise<Measurement>) =>
      inTurn(
        n,
        async () => void measurements.push(await ours()),
        async () => void measurements.push(await peer()),
      );
    const rounds = (c: string, tool: string) => measurements.filter((m) => m.case === c && m.tool === tool);

    // 1. Start-up alone.
    const version = 'fileferry --version';
    ctx.say(`${version}: ${startupRounds} rounds beside node -e 0`);
    for (let n = 0; n < startupRounds; n++) {
      await round(
        n,
        () => tools.fileFerry(version, 0, ['--version'], (out) => /^\d+\.\d+\.\d+/.test(out)),
        () => tools.peer(version, 'node -e 0', 0, process.execPath, ['-e', '0']),
      );
    }
    goals.push(
      timeGoal(`${version} within 4× node -e 0`, rounds(version, 'FileFerry'), rounds(version, 'node -e 0'), 4),
    );

    // 2. A small listing: start-up, module loading, connecting and logging in, one LIST.
    await mkdir(join(server.root, 'pub/three'));
    for (const name of SMALL_FILES) await writeFile(join(server.root, 'pub/three', name), `${name}\n`);
    const folder = `ftp://127.0.0.1:${server.port}/pub/three`;
    const listing = `ls of ${SMALL_FILES.length} files`;
    const listsAll = (out: string) => SMALL_FILES.every((name) => out.includes(name));
    ctx.say(`${listing}: ${startupRounds} rounds beside curl --list-only`);
    for (let n = 0; n < startupRounds; n++) {
      await round(
        n,
        () => tools.fileFerry(listing, 0, ['ls', folder], listsAll),
        () => tools.peer(listing, 'curl', 0, 'curl', ['-sS', '--fail', '--list-only', `${folder}/`], listsAll),
      );
    }
    goals.push(
      absoluteGoal(`${listing}: FileFerry under 0.3 s`, rounds(listing, 'FileFerry'), 300, rounds(listing, 'curl')),
    );

    // 3. A large file each way: the transfer itself, with everything around it.
    ctx.say(`generating ${sizeLabel(BIG_BYTES)} of random bytes`);
    const name = 'cli-big.bin';
    const source = join(ctx.workDir, name);
    await writeRandomFile(source, BIG_BYTES);
    const digest = await sha256OfFile(source);
    const pub = join(server.root, 'pub');
    await link(source, join(pub, name)); // the same inode: no second copy on disk
    const url = `ftp://127.0.0.1:${server.port}/pub`;
    const down = `cp FTP→local ${sizeLabel(BIG_BYTES)}`;
    const up = `cp local→FTP ${sizeLabel(BIG_BYTES)}`;
    const verified = async (measurement: Measurement, path: string) => {
      assertSameDigest(`${measurement.case}, ${measurement.tool} (${path})`, digest, await sha256OfFile(path));
      await rm(path);
      return measurement;
    };
    for (let n = 0; n < repeat; n++) {
      ctx.say(`${down} and ${up}: round ${n + 1} of ${repeat}`);
      const ffDown = join(tools.outDir, 'ff.bin');
      const curlDown = join(tools.outDir, 'curl.bin');
      await round(
        n,
        async () => verified(await tools.fileFerry(down, BIG_BYTES, ['cp', `${url}/${name}`, ffDown]), ffDown),
        async () =>
          verified(
            await tools.peer(down, 'curl', BIG_BYTES, 'curl', ['-sS', '--fail', '-o', curlDown, `${url}/${name}`]),
            curlDown,
          ),
      );
      await round(
        n,
        async () =>
          verified(await tools.fileFerry(up, BIG_BYTES, ['cp', source, `${url}/up-ff.bin`]), join(pub, 'up-ff.bin')),
        async () =>
          verified(
            await tools.peer(up, 'curl', BIG_BYTES, 'curl', ['-sS', '--fail', '-T', source, `${url}/up-curl.bin`]),
            join(pub, 'up-curl.bin'),
          ),
      );
    }
    for (const c of [down, up]) {
      goals.push(
        ratioGoal(`${c}: FileFerry ≥ 0.9× curl (whole processes)`, rounds(c, 'FileFerry'), rounds(c, 'curl'), 0.9),
      );
    }
    await rm(join(pub, name));
    await rm(source);
  } finally {
    forget();
    await server.stop();
  }
  return { measurements, goals };
}

/** Runs and times the two sides; FileFerry through its launcher, on an up-to-date build. */
class Tools {
  readonly home: string;
  readonly outDir: string;

  constructor(private readonly ctx: BenchContext) {
    this.home = join(ctx.workDir, 'cli-home');
    this.outDir = join(ctx.workDir, 'cli-out');
  }

  /** `fileferry ARGS`; `check` is given stdout and must hold (a listing that lists, a version that is one). */
  async fileFerry(label: string, bytes: number, args: string[], check?: (stdout: string) => boolean) {
    await ensureCliBuilt(this.ctx.say);
    return this.peer(label, 'FileFerry', bytes, process.execPath, [LAUNCHER, ...args], check);
  }

  async peer(
    label: string,
    tool: string,
    bytes: number,
    command: string,
    args: string[],
    check?: (stdout: string) => boolean,
  ): Promise<Measurement> {
    const run = await runPeer(command, args, { FILEFERRY_HOME: this.home });
    if (check && !check(run.stdout))
      throw new Error(`${label}: ${tool} printed an unexpected answer: ${run.stdout.slice(0, 500)}`);
    return {
      case: label,
      tool,
      bytes,
      ms: run.wallMs,
      cpuMs: run.cpuMs,
      peakRssKiB: run.peakRssKiB,
      serverLoad: run.serverLoad,
    };
  }
}

/** Median of the rounds' times. */
const medianMs = (measurements: Measurement[]) => median(measurements.map((m) => m.ms));

/** FileFerry's fastest round at most `factor` × the peer's fastest (the median ratio given beside it). */
function timeGoal(what: string, ours: Measurement[], peer: Measurement[], factor: number): Goal {
  const ratio = fastest(ours).ms / fastest(peer).ms;
  const medians = medianMs(ours) / medianMs(peer);
  return {
    what,
    met: ratio <= factor,
    detail:
      `${ratio.toFixed(2)}× ${fastest(peer).tool} (goal ≤ ${factor}×); ` +
      `medians ${medians.toFixed(2)}×, ${Math.min(ours.length, peer.length)} rounds`,
  };
}

/** FileFerry's fastest round under `limitMs`; its median and the peer's fastest given beside it. */
function absoluteGoal(what: string, ours: Measurement[], limitMs: number, peer: Measurement[]): Goal {
  const best = fastest(ours).ms;
  return {
    what,
    met: best < limitMs,
    detail:
      `${seconds(best)} (goal < ${limitMs / 1000} s); median ${seconds(medianMs(ours))}; ` +
      `${fastest(peer).tool} ${seconds(fastest(peer).ms)}`,
  };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(3)} s`;

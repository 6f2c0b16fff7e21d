// Issue 2: streaming a large file FTP→local and local→FTP against vsftpd on loopback, beside curl on the
// same server and the same kind of target (a file on the same disk), then the same over explicit FTPS. A
// smaller file shows whether FileFerry's peak RSS depends on the file size (it must not). Last, a folder of
// small files uploaded to FTP (a website, say), where the cost per file is what counts; it has no goal.
import { link, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { connectionSpecSchema, type ConnectionRef } from '../shared/connection';
import { startVsftpd, type VsftpdHandle } from '../test/helpers/vsftpd';
import {
  assertSameDigest,
  assertSameTree,
  sha256OfFile,
  sha256OfTree,
  writeRandomFile,
  writeRandomFiles,
} from './lib/files';
import { measureFileFerry } from './lib/file-ferry';
import { runPeer, type PeerResult } from './lib/measure';
import { inTurn } from './lib/rounds';
import { ratioGoal, rssGoal, sizeLabel, type Goal, type Measurement } from './lib/report';
import type { BenchContext } from './lib/context';

interface Site {
  /** "FTP" or "FTPS", as the case labels name it. */
  name: string;
  server: VsftpdHandle;
  /** curl's options for this server beyond the URL (TLS and the certificate to trust). */
  curlOptions: string[];
}

export async function ftpBench(ctx: BenchContext): Promise<{ measurements: Measurement[]; goals: Goal[] }> {
  const measurements: Measurement[] = [];
  const goals: Goal[] = [];
  const plain = await startVsftpd();
  const forgetPlain = ctx.onInterrupt(() => plain.stop());
  // The same transfer over explicit FTPS: FileFerry trusts the server's test certificate (its spec carries
  // it), curl is told to (--cacert); both verify it.
  const secure = await startVsftpd({ tls: 'explicit' });
  const forgetSecure = ctx.onInterrupt(() => secure.stop());
  // Nine rounds, the tools in alternating order (lib/rounds): on shared cores single rounds of either tool
  // vary by ±30 %, and with five the local→FTP verdict turned on one lucky round of curl's (see ratioGoal).
  const repeat = ctx.repeat ?? 9;
  try {
    await mkdir(join(ctx.workDir, OUT_DIR), { recursive: true });
    const ftp: Site = { name: 'FTP', server: plain, curlOptions: [] };
    const ftps: Site = {
      name: 'FTPS',
      server: secure,
      curlOptions: ['--ssl-reqd', '--cacert', secure.certificate!.certPath],
    };

    const sizes = [
      { label: sizeLabel(ctx.bigBytes), bytes: ctx.bigBytes, sites: [ftp, ftps], withPeer: true },
      { label: sizeLabel(ctx.midBytes), bytes: ctx.midBytes, sites: [ftp], withPeer: false },
    ];
    for (const size of sizes) {
      const name = `ftp-${size.bytes}.bin`;
      const source = join(ctx.workDir, name);
      ctx.say(`generating ${size.label} of random bytes`);
      await writeRandomFile(source, size.bytes);
      const digest = await sha256OfFile(source);
      for (const site of size.sites) {
        // Same inode, no second copy on disk: the server reads what the generator wrote.
        const served = join(site.server.root, 'pub', name);
        await link(source, served);
        const file = { name, source, digest, bytes: size.bytes, label: size.label, withPeer: size.withPeer };
        measurements.push(...(await measureBothWays(ctx, site, file, repeat)));
        await rm(served);
      }
      await rm(source);
    }

    measurements.push(...(await measureSmallFilesUp(ctx, ftp, repeat)));

    const rounds = (c: string, tool: string) => measurements.filter((m) => m.case === c && m.tool === tool);
    const big = sizes[0]!.label;
    for (const site of sizes[0]!.sites) {
      for (const c of [`${site.name}→local ${big}`, `local→${site.name} ${big}`]) {
        goals.push(ratioGoal(`${c}: FileFerry ≥ 0.9× curl`, rounds(c, 'FileFerry'), rounds(c, 'curl'), 0.9));
      }
    }
    goals.push(
      rssGoal(
        'FTP and FTPS: FileFerry peak RSS < 150 MiB, any size',
        measurements.filter((m) => m.tool === 'FileFerry'),
      ),
    );
  } finally {
    forgetPlain();
    forgetSecure();
    await Promise.all([plain.stop(), secure.stop()]);
  }
  return { measurements, goals };
}

const OUT_DIR = 'ftp-out';

interface SourceFile {
  /** Its name in the work folder and in each server's /pub. */
  name: string;
  /** Its path in the work folder (the uploads' source). */
  source: string;
  digest: string;
  bytes: number;
  label: string;
  /** Whether curl runs too (only for the large file). */
  withPeer: boolean;
}

/** `repeat` rounds of a download and an upload between `site` and the local disk, curl's beside FileFerry's. */
async function measureBothWays(
  ctx: BenchContext,
  site: Site,
  file: SourceFile,
  repeat: number,
): Promise<Measurement[]> {
  const measurements: Measurement[] = [];
  const local: ConnectionRef = { spec: { kind: 'local', root: ctx.workDir } };
  const remote: ConnectionRef = { spec: connectionSpecSchema.parse(site.server.spec()) };
  const outDir = join(ctx.workDir, OUT_DIR);
  const pub = join(site.server.root, 'pub');
  const down = `${site.name}→local ${file.label}`;
  const up = `local→${site.name} ${file.label}`;
  for (let round = 0; round < repeat; round++) {
    await inTurn(
      round,
      async () => {
        ctx.say(`${down}: FileFerry`);
        measurements.push(
          await measureFileFerry(ctx, {
            label: down,
            bytes: file.bytes,
            request: {
              source: { connection: remote, path: `/pub/${file.name}` },
              target: { connection: local, path: `/${OUT_DIR}/ff.bin` },
            },
          }),
        );
        await verifyAndRemove(down, file.digest, join(outDir, 'ff.bin'));
      },
      async () => {
        if (!file.withPeer) return;
        ctx.say(`${down}: curl`);
        measurements.push(await curlDownload(site, down, file.bytes, file.name, join(outDir, 'curl.bin')));
        await verifyAndRemove(down, file.digest, join(outDir, 'curl.bin'));
      },
    );
    await inTurn(
      round,
      async () => {
        ctx.say(`${up}: FileFerry`);
        measurements.push(
          await measureFileFerry(ctx, {
            label: up,
            bytes: file.bytes,
            request: {
              source: { connection: local, path: `/${file.name}` },
              target: { connection: remote, path: '/pub/up-ff.bin' },
            },
          }),
        );
        await verifyAndRemove(up, file.digest, join(pub, 'up-ff.bin'));
      },
      async () => {
        if (!file.withPeer) return;
        ctx.say(`${up}: curl`);
        measurements.push(await curlUpload(site, up, file.bytes, file.source, 'up-curl.bin'));
        await verifyAndRemove(up, file.digest, join(pub, 'up-curl.bin'));
      },
    );
  }
  return measurements;
}

/**
 * `repeat` rounds of a folder of small files uploaded to `site`: FileFerry's folder job with its default
 * settings (two connections), curl with every file in one command (one connection, reused from file to file).
 * curl's figure is its process's wall time, start-up included (~10 ms), as it reports a time per file only.
 */
async function measureSmallFilesUp(ctx: BenchContext, site: Site, repeat: number): Promise<Measurement[]> {
  const measurements: Measurement[] = [];
  const label = `local→${site.name} ${ctx.smallCount} × ${ctx.smallBytes / 1024} KiB`;
  const folder = join(ctx.workDir, 'small-up');
  ctx.say(`generating ${ctx.smallCount} × ${ctx.smallBytes / 1024} KiB of random bytes`);
  await writeRandomFiles(folder, ctx.smallCount, ctx.smallBytes);
  const digests = await sha256OfTree(folder);
  const bytes = ctx.smallCount * ctx.smallBytes;
  const pub = join(site.server.root, 'pub');
  const remote: ConnectionRef = { spec: connectionSpecSchema.parse(site.server.spec()) };
  for (let round = 0; round < repeat; round++) {
    await inTurn(
      round,
      async () => {
        ctx.say(`${label}: FileFerry`);
        measurements.push(
          await measureFileFerry(ctx, {
            label,
            bytes,
            files: ctx.smallCount,
            request: {
              source: { connection: { spec: { kind: 'local', root: ctx.workDir } }, path: '/small-up' },
              target: { connection: remote, path: '/pub/small-ff' },
              recursive: true,
            },
          }),
        );
        assertSameTree(label, digests, await sha256OfTree(join(pub, 'small-ff')));
        await rm(join(pub, 'small-ff'), { recursive: true });
      },
      async () => {
        ctx.say(`${label}: curl`);
        const names = [...digests.keys()].sort().join(',');
        const url = `ftp://127.0.0.1:${site.server.port}/pub/small-curl/`;
        const run = await runPeer('curl', [
          '-sS',
          '--fail',
          // As FileFerry retries a file: a data connection vsftpd could not open (a 425 after thousands of
          // them) would otherwise leave a file out, which the tree check below refuses (seen once in 9 rounds).
          '--retry',
          '3',
          ...site.curlOptions,
          '--ftp-create-dirs',
          '-T',
          `${folder}/{${names}}`,
          url,
        ]);
        measurements.push({
          ...curlMeasurement(label, bytes, run, run.wallMs),
          files: ctx.smallCount,
        });
        assertSameTree(`${label} (curl)`, digests, await sha256OfTree(join(pub, 'small-curl')));
        await rm(join(pub, 'small-curl'), { recursive: true });
      },
    );
  }
  await rm(folder, { recursive: true });
  return measurements;
}

/** curl's own time_total (connect, login, transfer), like the worker's figure excludes process start-up. */
async function curlDownload(
  site: Site,
  label: string,
  bytes: number,
  name: string,
  output: string,
): Promise<Measurement> {
  const url = `ftp://127.0.0.1:${site.server.port}/pub/${name}`;
  const run = await runPeer('curl', ['-sS', '--fail', ...site.curlOptions, '-o', output, '-w', '%{time_total}', url]);
  return curlMeasurement(label, bytes, run);
}

async function curlUpload(site: Site, label: string, bytes: number, input: string, name: string): Promise<Measurement> {
  const url = `ftp://127.0.0.1:${site.server.port}/pub/${name}`;
  const run = await runPeer('curl', ['-sS', '--fail', ...site.curlOptions, '-T', input, '-w', '%{time_total}', url]);
  return curlMeasurement(label, bytes, run);
}

/** `ms`: curl's own time_total (printed by -w), unless the caller timed the process instead. */
function curlMeasurement(
  label: string,
  bytes: number,
  run: PeerResult,
  ms = Number(run.stdout.trim()) * 1000,
): Measurement {
  return {
    case: label,
    tool: 'curl',
    bytes,
    ms,
    cpuMs: run.cpuMs,
    peakRssKiB: run.peakRssKiB,
    serverLoad: run.serverLoad,
  };
}

async function verifyAndRemove(label: string, digest: string, path: string): Promise<void> {
  assertSameDigest(`${label} (${path})`, digest, await sha256OfFile(path));
  await rm(path);
}

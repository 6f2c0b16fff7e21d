// Issue 2: streaming a large file FTP→local and local→FTP against vsftpd on loopback, beside curl on the
// same server and the same kind of target (a file on the same disk), then the same over explicit FTPS. A
// smaller file shows whether FileFerry's peak RSS depends on the file size (it must not).
import { link, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { connectionSpecSchema, type ConnectionRef } from '../shared/connection';
import { startVsftpd, type VsftpdHandle } from '../test/helpers/vsftpd';
import { assertSameDigest, sha256OfFile, writeRandomFile } from './lib/files';
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
  // Five rounds, the tools in alternating order (lib/rounds): on shared cores single rounds of either tool vary by ±30 % (see ratioGoal).
  const repeat = ctx.repeat ?? 5;
  try {
    const local: ConnectionRef = { spec: { kind: 'local', root: ctx.workDir } };
    const outDir = join(ctx.workDir, 'ftp-out');
    await mkdir(outDir, { recursive: true });
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
        const remote: ConnectionRef = { spec: connectionSpecSchema.parse(site.server.spec()) };
        const pub = join(site.server.root, 'pub');
        // Same inode, no second copy on disk: the server reads what the generator wrote.
        await link(source, join(pub, name));
        const down = `${site.name}→local ${size.label}`;
        const up = `local→${site.name} ${size.label}`;
        for (let round = 0; round < repeat; round++) {
          await inTurn(
            round,
            async () => {
              ctx.say(`${down}: FileFerry`);
              measurements.push(
                await measureFileFerry(ctx, {
                  label: down,
                  bytes: size.bytes,
                  request: {
                    source: { connection: remote, path: `/pub/${name}` },
                    target: { connection: local, path: '/ftp-out/ff.bin' },
                  },
                }),
              );
              await verifyAndRemove(down, digest, join(outDir, 'ff.bin'));
            },
            async () => {
              if (!size.withPeer) return;
              ctx.say(`${down}: curl`);
              measurements.push(await curlDownload(site, down, size.bytes, name, join(outDir, 'curl.bin')));
              await verifyAndRemove(down, digest, join(outDir, 'curl.bin'));
            },
          );
          await inTurn(
            round,
            async () => {
              ctx.say(`${up}: FileFerry`);
              measurements.push(
                await measureFileFerry(ctx, {
                  label: up,
                  bytes: size.bytes,
                  request: {
                    source: { connection: local, path: `/${name}` },
                    target: { connection: remote, path: '/pub/up-ff.bin' },
                  },
                }),
              );
              await verifyAndRemove(up, digest, join(pub, 'up-ff.bin'));
            },
            async () => {
              if (!size.withPeer) return;
              ctx.say(`${up}: curl`);
              measurements.push(await curlUpload(site, up, size.bytes, source, 'up-curl.bin'));
              await verifyAndRemove(up, digest, join(pub, 'up-curl.bin'));
            },
          );
        }
        await rm(join(pub, name));
      }
      await rm(source);
    }

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

function curlMeasurement(label: string, bytes: number, run: PeerResult): Measurement {
  const ms = Number(run.stdout.trim()) * 1000;
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

// Issue 4: FileFerry beside rclone between FTP, S3 and Azure Blob on loopback (vsftpd, s3rver, Azurite):
//   (a) one large file FTP→S3, streamed;  (b) many small files FTP→S3 as one folder job;  (c) the large file
//   S3→Azure; then FileFerry alone: (d) that copy service-side, (e) the large file over HTTPS; last (f) the
//   small files local→Azure beside rclone, with no goal. Both tools run with their default settings; the
//   FTP→S3 small-file case also runs with matched parallelism (FileFerry's per-site connection limits =
//   rclone's --transfers and --checkers).
import { link } from 'node:fs/promises';
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { azureSpecSchema, connectionSpecSchema, s3SpecSchema, type ConnectionRef } from '../shared/connection';
import { startAzurite } from '../test/helpers/azurite';
import { startFromUrlProxy } from '../test/helpers/azurite-from-url-proxy';
import { startS3rver, type S3rverServer } from '../test/helpers/s3rver';
import { startVsftpd } from '../test/helpers/vsftpd';
import { measureOverTls } from './cloud-tls';
import type { BenchContext } from './lib/context';
import {
  assertSameDigest,
  assertSameTree,
  sha256OfFile,
  sha256OfTree,
  writeRandomFile,
  writeRandomFiles,
} from './lib/files';
import { measureFileFerry } from './lib/file-ferry';
import { reportServerLoad, type PeerResult, type Secrets } from './lib/measure';
import { Rclone } from './lib/rclone';
import { inTurn } from './lib/rounds';
import { filesPerSecond, ratioGoal, rssGoal, sizeLabel, type Goal, type Measurement } from './lib/report';
import { remoteSha256, remoteTreeSha256, removeRemote, type RemoteSite } from './lib/remote';
import type { TransferRequest } from '../shared/transfers';

/** The providers' own defaults, so the table names the settings FileFerry actually used. */
const S3_DEFAULTS = s3SpecSchema.parse({ kind: 's3' });
const AZURE_DEFAULTS = azureSpecSchema.parse({ kind: 'azure-blob' });

const BUCKET = 'bench';
const CONTAINER = 'bench';
/** Parallelism for the matched small-file comparison (vsftpd allows 20 connections per address here). */
const MATCHED_PARALLELISM = 8;

export async function cloudBench(ctx: BenchContext): Promise<{ measurements: Measurement[]; goals: Goal[] }> {
  const measurements: Measurement[] = [];
  const goals: Goal[] = [];
  // Five rounds, the tools in alternating order (lib/rounds): on shared cores single rounds vary by ±30 %
  // (see ratioGoal).
  const repeat = ctx.repeat ?? 5;
  const stops: Array<() => unknown> = [];
  const started = <T extends { stop(): Promise<void> }>(server: T): T => {
    stops.push(
      ctx.onInterrupt(() => server.stop()),
      () => server.stop(),
    );
    return server;
  };
  const ftpServer = started(await startVsftpd());
  try {
    const s3rver = started(await startS3rver({ buckets: [BUCKET] }));
    // On disk, not in memory: two 1 GiB blobs would otherwise sit in Azurite's heap.
    const azurite = started(await startAzurite({ persistent: true }));
    await BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(CONTAINER).create();
    // vsftpd is left out: its per-session processes may end before the figure is read.
    reportServerLoad({ s3rver: s3rver.pid, Azurite: azurite.pid });

    const ftpSpec = (maxConnections?: number) =>
      connectionSpecSchema.parse(ftpServer.spec(maxConnections ? { maxConnections } : {}));
    const s3Site: RemoteSite = {
      spec: connectionSpecSchema.parse(s3rver.spec(BUCKET)),
      secrets: { secretAccessKey: s3rver.secretAccessKey },
    };
    const s3With = (maxConnections?: number): RemoteSite => ({
      ...s3Site,
      spec: connectionSpecSchema.parse({ ...s3Site.spec, ...(maxConnections ? { maxConnections } : {}) }),
    });
    const azureSite: RemoteSite = {
      spec: connectionSpecSchema.parse({ kind: 'azure-blob', auth: 'connection-string', container: CONTAINER }),
      secrets: { connectionString: azurite.connectionString },
    };
    const secrets: Secrets = { s3: s3Site.secrets, azure: azureSite.secrets };
    const ref = (site: RemoteSite, key: string): ConnectionRef => ({ spec: site.spec, secretsKey: key });

    const rclone = await Rclone.configure(ctx.workDir, {
      ftp: {
        type: 'ftp',
        host: '127.0.0.1',
        port: ftpServer.port,
        user: 'anonymous',
        pass: await Rclone.obscure('anonymous@'),
      },
      s3: {
        type: 's3',
        provider: 'Other',
        access_key_id: s3rver.accessKeyId,
        secret_access_key: s3rver.secretAccessKey,
        endpoint: s3rver.endpoint,
        region: 'us-east-1',
        force_path_style: true,
      },
      az: { type: 'azureblob', use_emulator: true, endpoint: azurite.endpoint },
    });

    const fileFerry = async (label: string, bytes: number, files: number, request: TransferRequest, note: string) => {
      const m = await measureFileFerry(ctx, { label, bytes, files, request, secrets, note });
      measurements.push(m);
      return m;
    };
    const peer = (label: string, bytes: number, files: number, run: PeerResult, note: string) => {
      const m: Measurement = {
        case: label,
        tool: 'rclone',
        bytes,
        files,
        ms: run.wallMs,
        cpuMs: run.cpuMs,
        peakRssKiB: run.peakRssKiB,
        serverLoad: run.serverLoad,
        note,
      };
      measurements.push(m);
      return m;
    };

    // ---- data: generated once, served by vsftpd from the same inodes ----
    const pub = join(ftpServer.root, 'pub');
    const bigPath = join(ctx.workDir, 'cloud-big.bin');
    ctx.say(
      `generating ${sizeLabel(ctx.bigBytes)} and ${ctx.smallCount} × ${ctx.smallBytes / 1024} KiB of random bytes`,
    );
    await writeRandomFile(bigPath, ctx.bigBytes);
    const bigDigest = await sha256OfFile(bigPath);
    await link(bigPath, join(pub, 'big.bin'));
    const smallDir = join(pub, 'small');
    await writeRandomFiles(smallDir, ctx.smallCount, ctx.smallBytes);
    const smallDigests = await sha256OfTree(smallDir);
    const smallTotal = ctx.smallCount * ctx.smallBytes;

    // ---- (a) one large file FTP→S3 ----
    const big = `FTP→S3 ${sizeLabel(ctx.bigBytes)}`;
    const bigNote = (tool: 'ff' | 'rclone') =>
      tool === 'ff'
        ? `defaults: part ${S3_DEFAULTS.partSizeMiB} MiB × ${S3_DEFAULTS.uploadConcurrency}`
        : 'defaults: chunk 5 MiB × 4';
    for (let round = 0; round < repeat; round++) {
      await inTurn(
        round,
        async () => {
          ctx.say(`${big}: FileFerry`);
          await fileFerry(
            big,
            ctx.bigBytes,
            1,
            {
              source: { connection: { spec: ftpSpec() }, path: '/pub/big.bin' },
              target: { connection: ref(s3Site, 's3'), path: '/ff/big.bin' },
            },
            bigNote('ff'),
          );
          assertSameDigest(big, bigDigest, await remoteSha256(s3Site, '/ff/big.bin'));
        },
        async () => {
          ctx.say(`${big}: rclone`);
          peer(
            big,
            ctx.bigBytes,
            1,
            await rclone.run(['copyto', 'ftp:pub/big.bin', `s3:${BUCKET}/rclone/big.bin`]),
            bigNote('rclone'),
          );
          assertSameDigest(`${big} (rclone)`, bigDigest, await remoteSha256(s3Site, '/rclone/big.bin'));
          await removeRemote(s3Site, '/rclone');
        },
      );
    }
    goals.push(
      ratioGoal(
        `${big}: FileFerry ≥ 1.0× rclone`,
        roundsOf(measurements, big, 'FileFerry'),
        roundsOf(measurements, big, 'rclone'),
        1.0,
      ),
    );

    // ---- (b) many small files FTP→S3, one folder job ----
    const small = `FTP→S3 ${ctx.smallCount} × ${ctx.smallBytes / 1024} KiB`;
    const settings = [
      {
        name: 'default',
        ffNote: 'defaults: FTP 2 conns, S3 4',
        rcloneNote: 'defaults: --transfers 4 --checkers 8',
        ftp: undefined,
        rcloneArgs: [] as string[],
      },
      {
        name: 'matched',
        ffNote: `FTP ${MATCHED_PARALLELISM} conns, S3 ${MATCHED_PARALLELISM}`,
        rcloneNote: `--transfers ${MATCHED_PARALLELISM} --checkers ${MATCHED_PARALLELISM}`,
        ftp: MATCHED_PARALLELISM,
        rcloneArgs: ['--transfers', String(MATCHED_PARALLELISM), '--checkers', String(MATCHED_PARALLELISM)],
      },
    ];
    for (let round = 0; round < repeat; round++) {
      for (const setting of settings) {
        const label = `${small} (${setting.name})`;
        await inTurn(
          round,
          async () => {
            ctx.say(`${label}: FileFerry`);
            await s3rver.clearRequests();
            const ff = await fileFerry(
              label,
              smallTotal,
              ctx.smallCount,
              {
                source: { connection: { spec: ftpSpec(setting.ftp) }, path: '/pub/small' },
                target: { connection: ref(s3With(setting.ftp), 's3'), path: '/ff-small' },
                recursive: true,
              },
              setting.ffNote,
            );
            ff.note += `; ${await requestsPerFile(s3rver, ctx.smallCount)}`;
            assertSameTree(label, smallDigests, await remoteTreeSha256(s3Site, '/ff-small'));
            await removeRemote(s3Site, '/ff-small');
          },
          async () => {
            ctx.say(`${label}: rclone`);
            await s3rver.clearRequests();
            const run = await rclone.run(['copy', 'ftp:pub/small', `s3:${BUCKET}/rclone-small`, ...setting.rcloneArgs]);
            const theirs = peer(label, smallTotal, ctx.smallCount, run, setting.rcloneNote);
            theirs.note += `; ${await requestsPerFile(s3rver, ctx.smallCount)}`;
            assertSameTree(`${label} (rclone)`, smallDigests, await remoteTreeSha256(s3Site, '/rclone-small'));
            await removeRemote(s3Site, '/rclone-small');
          },
        );
      }
    }
    for (const setting of settings) {
      const label = `${small} (${setting.name})`;
      goals.push(
        ratioGoal(
          `${label}: FileFerry ≥ 1.5× rclone files/s`,
          roundsOf(measurements, label, 'FileFerry'),
          roundsOf(measurements, label, 'rclone'),
          1.5,
          filesPerSecond,
        ),
      );
    }

    // ---- (c) the large file S3→Azure (FileFerry's copy from (a) is the source) ----
    const cross = `S3→Azure ${sizeLabel(ctx.bigBytes)}`;
    for (let round = 0; round < repeat; round++) {
      await inTurn(
        round,
        async () => {
          ctx.say(`${cross}: FileFerry`);
          await fileFerry(
            cross,
            ctx.bigBytes,
            1,
            {
              source: { connection: ref(s3Site, 's3'), path: '/ff/big.bin' },
              target: { connection: ref(azureSite, 'azure'), path: '/ff-big.bin' },
            },
            `defaults: block ${AZURE_DEFAULTS.blockSizeMiB} MiB × ${AZURE_DEFAULTS.uploadConcurrency}`,
          );
          assertSameDigest(cross, bigDigest, await remoteSha256(azureSite, '/ff-big.bin'));
          await removeRemote(azureSite, '/ff-big.bin');
        },
        async () => {
          ctx.say(`${cross}: rclone`);
          const run = await rclone.run(['copyto', `s3:${BUCKET}/ff/big.bin`, `az:${CONTAINER}/rclone-big.bin`]);
          peer(cross, ctx.bigBytes, 1, run, 'defaults: chunk 4 MiB × 16');
          assertSameDigest(`${cross} (rclone)`, bigDigest, await remoteSha256(azureSite, '/rclone-big.bin'));
          await removeRemote(azureSite, '/rclone-big.bin');
        },
      );
    }
    goals.push(
      ratioGoal(
        `${cross}: FileFerry ≥ 1.0× rclone`,
        roundsOf(measurements, cross, 'FileFerry'),
        roundsOf(measurements, cross, 'rclone'),
        1.0,
      ),
    );
    // ---- (d) the same copy service-side: Azure pulls the object from a presigned S3 URL ----
    // Azurite lacks Put Block From URL, so the tests' proxy plays Azure's part (it fetches each block's
    // range from s3rver and stages it in Azurite). The figure is FileFerry's own cost, which is what the
    // product changes here; the time is the proxy's and the emulators'. rclone has no such path.
    const serviceSide = `${cross}, service-side`;
    const proxy = started(await startFromUrlProxy(azurite));
    const viaProxy: RemoteSite = { spec: azureSite.spec, secrets: { connectionString: proxy.connectionString } };
    secrets['azure-proxy'] = viaProxy.secrets;
    for (let round = 0; round < repeat; round++) {
      ctx.say(`${serviceSide}: FileFerry`);
      proxy.resetCounts();
      const m = await fileFerry(
        serviceSide,
        ctx.bigBytes,
        1,
        {
          source: { connection: ref(s3Site, 's3'), path: '/ff/big.bin' },
          target: { connection: ref(viaProxy, 'azure-proxy'), path: '/ff-s2s.bin' },
        },
        `block ${AZURE_DEFAULTS.blockSizeMiB} MiB × ${AZURE_DEFAULTS.uploadConcurrency}`,
      );
      const { putBlockFromUrl, putBlockBytes, bytesFetched } = proxy.counts;
      if (putBlockFromUrl === 0 || putBlockBytes !== 0 || bytesFetched !== ctx.bigBytes)
        throw new Error(`${serviceSide}: the copy was not service-side (${JSON.stringify(proxy.counts)})`);
      m.note += `; ${putBlockFromUrl} Put Block From URL, 0 bytes sent by FileFerry`;
      assertSameDigest(serviceSide, bigDigest, await remoteSha256(azureSite, '/ff-s2s.bin'));
      await removeRemote(azureSite, '/ff-s2s.bin');
    }

    // ---- (e) the large file over HTTPS (cloud-tls.ts) ----
    measurements.push(...(await measureOverTls({ ctx, ftp: ftpSpec(), bigDigest, started })));

    // ---- (f) the small files local→Azure: one request each (Put Blob), no goal ----
    reportServerLoad({ s3rver: s3rver.pid, Azurite: azurite.pid }); // (e) watched its own servers
    const smallAz = `local→Azure ${ctx.smallCount} × ${ctx.smallBytes / 1024} KiB`;
    for (let round = 0; round < repeat; round++) {
      await inTurn(
        round,
        async () => {
          ctx.say(`${smallAz}: FileFerry`);
          await fileFerry(
            smallAz,
            smallTotal,
            ctx.smallCount,
            {
              source: { connection: { spec: { kind: 'local', root: pub } }, path: '/small' },
              target: { connection: ref(azureSite, 'azure'), path: '/ff-small' },
              recursive: true,
            },
            `defaults: ${AZURE_DEFAULTS.maxConnections} connections`,
          );
          assertSameTree(smallAz, smallDigests, await remoteTreeSha256(azureSite, '/ff-small'));
          await removeRemote(azureSite, '/ff-small');
        },
        async () => {
          ctx.say(`${smallAz}: rclone`);
          const run = await rclone.run(['copy', smallDir, `az:${CONTAINER}/rclone-small`]);
          peer(smallAz, smallTotal, ctx.smallCount, run, 'defaults: --transfers 4');
          assertSameTree(`${smallAz} (rclone)`, smallDigests, await remoteTreeSha256(azureSite, '/rclone-small'));
          await removeRemote(azureSite, '/rclone-small');
        },
      );
    }

    goals.push(
      rssGoal(
        'cloud: FileFerry peak RSS < 150 MiB',
        measurements.filter((m) => m.tool === 'FileFerry'),
      ),
    );
  } finally {
    for (const stop of stops.reverse()) await Promise.resolve(stop()).catch(() => undefined);
  }
  return { measurements, goals };
}

/** S3 requests the last job made, per file and by kind, e.g. "S3 req/file 5.0 (HEAD 2.0, GET 2.0, PUT 1.0)". */
async function requestsPerFile(server: S3rverServer, files: number): Promise<string> {
  const requests = await server.requests();
  const kinds = new Map<string, number>();
  for (const r of requests) kinds.set(r.method, (kinds.get(r.method) ?? 0) + 1);
  const parts = [...kinds].map(([method, n]) => `${method} ${(n / files).toFixed(1)}`).join(', ');
  return `S3 req/file ${(requests.length / files).toFixed(1)} (${parts})`;
}

function roundsOf(measurements: Measurement[], label: string, tool: string): Measurement[] {
  return measurements.filter((m) => m.case === label && m.tool === tool);
}

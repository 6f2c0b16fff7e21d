// Large reads from S3 (s3rver) and Azure Blob (Azurite) as several ranged requests at once
// (util/parallel-ranged-read.ts), with the cutoff and part size lowered so that a 20 MiB object is read in
// 4 MiB parts. Each server sits behind a TCP relay of this file's own that counts connections, can slow
// responses down and can reset connections mid-response. (test/helpers/fault-proxy.ts faults only FTP data
// connections; an HTTP request travels on what it treats as a control connection.)
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net, { type AddressInfo, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { FerryError } from '../../shared/errors';
import { azureSpecSchema, s3SpecSchema } from '../../shared/connection';
import type { Provider } from '../../shared/provider';
import { createLogger } from '../../main/core/log/logger';
import { openS3Provider } from '../../main/core/providers/s3';
import { openAzureBlobProvider } from '../../main/core/providers/azure-blob';
import { parallelReadProbe, parallelReadSettings } from '../../main/core/util/parallel-ranged-read';
import { patternBytes, patternSha256, sha256Of } from '../helpers/pattern';
import { startS3rver, type S3rverServer } from '../helpers/s3rver';
import { azuriteConnectionString, startAzurite, type AzuriteServer } from '../helpers/azurite';
import { openAzuriteContainer } from '../helpers/azurite-provider';

const MiB = 1024 * 1024;
const SIZE = 20 * MiB + 123;
const SEED = 'parallel-read';
const PART = 4 * MiB;
const STREAMS = 4;

interface Relay {
  port: number;
  /** Client connections open now, and in all. */
  open: number;
  opened: number;
  /** Connections opened after the `opened` count `mark` that are still open. */
  openSince(mark: number): number;
  /** Most client connections open at once since the last resetPeak(). */
  peak: number;
  resetPeak(): void;
  /** Bytes relayed server → client. */
  bytesDown: number;
  /** Each server → client chunk waits this long (0: none). */
  delayMs: number;
  /** Connections opened from now on, except the first `spare`, are reset once they carried `bytes` down. */
  resetNewConnections(bytes: number, spare: number): void;
  clearFaults(): void;
  stop(): Promise<void>;
}

async function startRelay(upstreamPort: number): Promise<Relay> {
  const sockets = new Set<Socket>();
  const openIds = new Set<number>();
  let fault: { bytes: number; spare: number } | undefined;
  const relay: Relay = {
    port: 0,
    open: 0,
    opened: 0,
    openSince: (mark) => [...openIds].filter((id) => id > mark).length,
    peak: 0,
    resetPeak: () => void (relay.peak = relay.open),
    bytesDown: 0,
    delayMs: 0,
    resetNewConnections: (bytes, spare) => void (fault = { bytes, spare }),
    clearFaults: () => void (fault = undefined),
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(upstreamPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.once('close', () => sockets.delete(socket));
    }
    relay.open += 1;
    const id = ++relay.opened;
    openIds.add(id);
    relay.peak = Math.max(relay.peak, relay.open);
    client.once('close', () => {
      relay.open -= 1;
      openIds.delete(id);
    });
    let resetAfter: number | undefined;
    if (fault) {
      if (fault.spare > 0) fault.spare -= 1;
      else resetAfter = fault.bytes;
    }
    client.pipe(upstream);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
    let down = 0;
    void (async () => {
      try {
        for await (const chunk of upstream) {
          if (relay.delayMs > 0) await delay(relay.delayMs);
          if (client.destroyed) return; // closed meanwhile: nothing more reaches the client
          down += (chunk as Buffer).length;
          if (resetAfter !== undefined && down > resetAfter) {
            client.resetAndDestroy();
            upstream.destroy();
            return;
          }
          relay.bytesDown += (chunk as Buffer).length;
          if (!client.write(chunk)) await once(client, 'drain');
        }
        client.end();
      } catch {
        client.destroy();
      }
    })();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  relay.port = (server.address() as AddressInfo).port;
  return relay;
}

const log = createLogger({ test: 'parallel-read' });

interface Site {
  name: string;
  relay: Relay;
  /** A provider of its own (a fresh connection pool) through the relay. */
  open(): Promise<Provider>;
  path: string;
}

describe('parallel ranged reads from S3 and Azure Blob', () => {
  let s3: S3rverServer;
  let azurite: AzuriteServer;
  const sites: Site[] = [];
  const providers: Provider[] = [];
  const saved = { ...parallelReadSettings };

  before(async () => {
    Object.assign(parallelReadSettings, { cutoff: 8 * MiB, partSize: PART, streams: STREAMS });
    [s3, azurite] = await Promise.all([startS3rver({ buckets: ['par'] }), startAzurite()]);
    const s3Relay = await startRelay(s3.port);
    const azRelay = await startRelay(azurite.port);
    const track = (provider: Provider) => (providers.push(provider), provider);
    sites.push({
      name: 'S3 on s3rver',
      relay: s3Relay,
      path: '/big.bin',
      open: async () =>
        track(
          await openS3Provider(s3SpecSchema.parse(s3.spec('par', { endpoint: `http://127.0.0.1:${s3Relay.port}` })), {
            secrets: async (field) => (field === 'secretAccessKey' ? s3.secretAccessKey : undefined),
            log,
          }),
        ),
    });
    const azConnection = azuriteConnectionString(`http://127.0.0.1:${azRelay.port}/${azurite.account}`);
    await openAzuriteContainer(azurite, 'parallel-read', { container: 'par' });
    sites.push({
      name: 'Azure on Azurite',
      relay: azRelay,
      path: '/big.bin',
      open: async () =>
        track(
          await openAzureBlobProvider(
            azureSpecSchema.parse({ kind: 'azure-blob', auth: 'connection-string', container: 'par' }),
            { secrets: async () => azConnection, log },
          ),
        ),
    });
    for (const site of sites) {
      const provider = await site.open();
      await provider.write(site.path, patternBytes(SEED, SIZE), { size: SIZE });
    }
  });

  after(async () => {
    Object.assign(parallelReadSettings, saved);
    for (const provider of providers) await provider.close();
    for (const site of sites) await site.relay.stop();
    await Promise.all([s3?.stop(), azurite?.stop()]);
  });

  for (const index of [0, 1]) {
    const site = () => sites[index]!;
    const name = index === 0 ? 'S3 on s3rver' : 'Azure on Azurite';

    it(`${name}: an object above the cutoff arrives byte for byte, read in parallel within the window`, async () => {
      const provider = await site().open();
      parallelReadProbe.peakBuffered = 0;
      const reads = parallelReadProbe.reads;
      site().relay.resetPeak();
      assert.equal(await sha256Of(await provider.read(site().path)), await patternSha256(SEED, SIZE));
      assert.equal(parallelReadProbe.reads, reads + 1, 'the parallel reader was used');
      assert.ok(site().relay.peak >= STREAMS, `${STREAMS} connections at once (saw ${site().relay.peak})`);
      assert.ok(parallelReadProbe.peakBuffered <= STREAMS * PART, 'never more than the window held');
    });

    it(`${name}: offset and length reads across part boundaries`, async () => {
      const provider = await site().open();
      for (const [offset, length] of [
        [3 * MiB + 17, 13 * MiB + 5],
        [5 * MiB + 1, undefined],
        [PART, 2 * PART + 1],
      ] as const) {
        const reads = parallelReadProbe.reads;
        const expected = length ?? SIZE - offset;
        assert.equal(
          await sha256Of(await provider.read(site().path, { offset, length })),
          await patternSha256(SEED, expected, offset),
          `offset ${offset}, length ${length}`,
        );
        assert.equal(parallelReadProbe.reads, reads + 1, `offset ${offset}: read in parallel`);
      }
      // Below the cutoff: one stream, as before.
      const reads = parallelReadProbe.reads;
      assert.equal(
        await sha256Of(await provider.read(site().path, { offset: 7, length: 8 * MiB })),
        await patternSha256(SEED, 8 * MiB, 7),
      );
      assert.equal(parallelReadProbe.reads, reads);
    });

    it(`${name}: giving up mid-read closes every connection at once`, async () => {
      const relay = site().relay;
      const provider = await site().open();
      const mark = relay.opened; // connections of this read only: others' kept-alive sockets come and go
      relay.delayMs = 20; // no part can finish before the read is given up
      try {
        const reader = (await provider.read(site().path))[Symbol.asyncIterator]();
        await reader.next();
        await delay(300);
        assert.ok(relay.openSince(mark) >= 2, 'several ranges in flight');
        const started = Date.now();
        await reader.return?.();
        assert.ok(Date.now() - started < 2_000, 'return() did not wait for the parts');
        const deadline = Date.now() + 2_000;
        while (relay.openSince(mark) > 0 && Date.now() < deadline) await delay(20);
        assert.equal(relay.openSince(mark), 0, 'the servers saw every request of the read end');
        const down = relay.bytesDown;
        await delay(200);
        assert.equal(relay.bytesDown, down, 'nothing is read after the read was given up');
      } finally {
        relay.delayMs = 0;
      }
    });

    it(`${name}: a part that fails fails the read with a Network error, and no hang`, async () => {
      const relay = site().relay;
      const provider = await site().open();
      const mark = relay.opened;
      // The first GET (the object's first part) goes through; every later connection is reset mid-part.
      relay.resetNewConnections(256 * 1024, 1);
      try {
        await assert.rejects(
          sha256Of(await provider.read(site().path)),
          (error: unknown) => error instanceof FerryError && error.code === 'Network',
        );
        const deadline = Date.now() + 2_000;
        while (relay.openSince(mark) > 0 && Date.now() < deadline) await delay(20);
        assert.equal(relay.openSince(mark), 0, 'no connection of the failed read stays open');
      } finally {
        relay.clearFaults();
      }
    });
  }
});

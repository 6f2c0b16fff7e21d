// The FTP provider's throughput measures, proved for correctness rather than speed (bench/ measures
// speed): downloads that reuse a few buffers (ReadOptions.reuseChunks: RecyclingReader on plain connections,
// CoalescingSink over TLS) and a pool that steers the next command away from a session still settling after
// a large upload.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { openFtpProvider } from '../../main/core/providers/ftp';
import { ConnectionPool, type PooledConnection } from '../../main/core/providers/ftp/pool';
import { RecyclingReader } from '../../main/core/providers/ftp/recycling-reader';
import { BufferPool } from '../../main/core/util/buffer-pool';
import { createLogger } from '../../main/core/log/logger';
import { ftpSpecSchema } from '../../shared/connection';
import { FerryError } from '../../shared/errors';
import type { Provider } from '../../shared/provider';
import { startFtpServer, type FtpServerHandle } from '../helpers/ftp-server';
import { patternBytes, patternSha256, reusedBufferChunks, sha256Of } from '../helpers/pattern';
import { startVsftpd, type VsftpdHandle } from '../helpers/vsftpd';

const SIZE = 24 * 1024 * 1024;

interface Consumed {
  sha256: string;
  bytes: number;
  /** Distinct memory blocks the chunks were views of. */
  distinctBuffers: number;
  largestChunk: number;
}

/** The largest piece of data a TLS record carries: what an FTPS data socket hands on at most per read. */
const TLS_RECORD_BYTES = 16 * 1024;

/** Consumes like a target that releases chunks: hashes each one, sometimes slowly, before asking again. */
async function consumeSlowly(stream: AsyncIterable<Uint8Array>): Promise<Consumed> {
  const hash = createHash('sha256');
  const buffers = new Set<ArrayBufferLike>();
  let bytes = 0;
  let count = 0;
  let largestChunk = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    buffers.add(chunk.buffer);
    bytes += chunk.byteLength;
    largestChunk = Math.max(largestChunk, chunk.byteLength);
    // Stalls long enough for the socket to fill every reused buffer, so the reader must pause and resume.
    if (++count % 16 === 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { sha256: hash.digest('hex'), bytes, distinctBuffers: buffers.size, largestChunk };
}

/** A ranged read stops early and still hands over exactly the bytes asked for; the provider works on after. */
async function assertRangedReadStopsEarly(provider: Provider, path: string): Promise<void> {
  const offset = 5 * 1024 * 1024 + 7;
  const length = 3 * 1024 * 1024 + 11;
  const ranged = await consumeSlowly(await provider.read(path, { reuseChunks: true, offset, length }));
  assert.equal(ranged.bytes, length);
  assert.equal(ranged.sha256, await patternSha256('reuse', length, offset));
  // The connection the early stop closed is replaced: the provider still works.
  assert.equal((await provider.stat(path)).size, SIZE);
}

function openProvider(spec: unknown, password?: string): Promise<Provider> {
  return openFtpProvider(ftpSpecSchema.parse(spec), {
    secrets: async (field) => (field === 'password' ? password : undefined),
    log: createLogger({ test: 'ftp.buffers' }),
  });
}

describe('ftp downloads into reused buffers (reuseChunks)', () => {
  let vsftpd: VsftpdHandle;
  let ftpSrv: FtpServerHandle;
  let vsftpdTls: VsftpdHandle;
  let ftpSrvTls: FtpServerHandle;
  let expected: string;
  before(async () => {
    [vsftpd, ftpSrv, vsftpdTls, ftpSrvTls, expected] = await Promise.all([
      startVsftpd(),
      startFtpServer(),
      startVsftpd({ tls: 'explicit' }),
      startFtpServer({ tls: 'explicit' }),
      patternSha256('reuse', SIZE),
    ]);
  });
  after(async () => {
    await Promise.all([vsftpd?.stop(), ftpSrv?.stop(), vsftpdTls?.stop(), ftpSrvTls?.stop()]);
  });

  for (const server of ['vsftpd', 'ftp-srv'] as const) {
    it(`${server}, FTPS: a slowly consumed download gathers TLS records into a handful of reused buffers`, async () => {
      const provider =
        server === 'vsftpd'
          ? await openProvider(vsftpdTls.spec())
          : await openProvider(ftpSrvTls.spec(), ftpSrvTls.password);
      const folder = server === 'vsftpd' ? vsftpdTls.writablePath : '';
      try {
        await provider.write(`${folder}/reuse.bin`, patternBytes('reuse', SIZE));
        const gathered = await consumeSlowly(await provider.read(`${folder}/reuse.bin`, { reuseChunks: true }));
        assert.equal(gathered.bytes, SIZE);
        assert.equal(gathered.sha256, expected);
        assert.ok(gathered.distinctBuffers <= 8, `chunks came from ${gathered.distinctBuffers} buffers`);
        // A consumer that falls behind gets what gathered meanwhile, not one TLS record at a time.
        assert.ok(gathered.largestChunk > TLS_RECORD_BYTES, `the largest chunk was ${gathered.largestChunk} bytes`);

        // Without the option the records go on one by one in fresh memory (the control for the above).
        const records = await consumeSlowly(await provider.read(`${folder}/reuse.bin`));
        assert.equal(records.sha256, expected);
        assert.ok(records.largestChunk <= TLS_RECORD_BYTES, `a chunk of ${records.largestChunk} bytes`);

        await assertRangedReadStopsEarly(provider, `${folder}/reuse.bin`);
      } finally {
        await provider.close();
      }
    });
  }

  it('ftp-srv, FTPS: a download cut mid-way fails the reader, and a read from there completes the file', async () => {
    const provider = await openProvider(ftpSrvTls.spec(), ftpSrvTls.password);
    try {
      await provider.write('/cut.bin', patternBytes('reuse', SIZE));
      const received: Buffer[] = [];
      let bytes = 0;
      const failure = await (async () => {
        try {
          for await (const chunk of await provider.read('/cut.bin', { reuseChunks: true })) {
            received.push(Buffer.from(chunk)); // a copy: the view goes back to the pool on the next step
            bytes += chunk.byteLength;
            // Half-way the server drops the session; the reader holds the rest back, so the transfer is live.
            if (bytes >= SIZE / 2 && bytes - chunk.byteLength < SIZE / 2) ftpSrvTls.dropConnections();
          }
          return undefined;
        } catch (error) {
          return error;
        }
      })();
      assert.ok(failure instanceof FerryError, `the reader ended with ${String(failure)} after ${bytes} bytes`);
      assert.ok(bytes < SIZE, `all ${bytes} bytes arrived although the session was dropped`);
      // What arrived is the file's start, and a ranged read from there (as a retry does) completes it.
      for await (const chunk of await provider.read('/cut.bin', { reuseChunks: true, offset: bytes })) {
        received.push(Buffer.from(chunk));
      }
      const whole = Buffer.concat(received);
      assert.equal(whole.length, SIZE);
      assert.equal(createHash('sha256').update(whole).digest('hex'), expected);
    } finally {
      await provider.close();
    }
  });

  for (const server of ['vsftpd', 'ftp-srv'] as const) {
    it(`${server}: a slowly consumed download is byte-identical and uses a handful of buffers`, async () => {
      const provider =
        server === 'vsftpd' ? await openProvider(vsftpd.spec()) : await openProvider(ftpSrv.spec(), ftpSrv.password);
      const folder = server === 'vsftpd' ? vsftpd.writablePath : '';
      try {
        await provider.write(`${folder}/reuse.bin`, patternBytes('reuse', SIZE));
        const reused = await consumeSlowly(await provider.read(`${folder}/reuse.bin`, { reuseChunks: true }));
        assert.equal(reused.bytes, SIZE);
        assert.equal(reused.sha256, expected);
        // 8 pooled buffers, plus at most a few allocated in the gap between a pause and the socket stopping.
        assert.ok(reused.distinctBuffers <= 12, `chunks came from ${reused.distinctBuffers} buffers`);

        // Without the option every socket read gets fresh memory (the control for the assertion above).
        const fresh = await consumeSlowly(await provider.read(`${folder}/reuse.bin`));
        assert.equal(fresh.sha256, expected);
        assert.ok(fresh.distinctBuffers > 50, `plain reads used only ${fresh.distinctBuffers} buffers`);

        await assertRangedReadStopsEarly(provider, `${folder}/reuse.bin`);
      } finally {
        await provider.close();
      }
    });
  }

  it('downloads one after another reuse the same buffers; side by side they never share one', async () => {
    const provider = await openProvider({ ...vsftpd.spec(), maxConnections: 2 });
    const folder = `${vsftpd.writablePath}/shared`;
    const small = Array.from({ length: 10 }, (_, i) => ({
      name: `small-${i}.bin`,
      seed: `small-${i}`,
      size: 40_000 + i,
    }));
    const mid = [0, 1].map((i) => ({ name: `mid-${i}.bin`, seed: `mid-${i}`, size: 3 * 1024 * 1024 + i }));
    try {
      await provider.mkdir(folder);
      for (const file of [...small, ...mid]) {
        await provider.write(`${folder}/${file.name}`, patternBytes(file.seed, file.size));
      }
      // In turn: each download hands its buffers on to the next, so ten files use a buffer or two in all.
      const buffers = new Set<ArrayBufferLike>();
      for (const file of small) {
        const hash = createHash('sha256');
        for await (const chunk of await provider.read(`${folder}/${file.name}`, { reuseChunks: true })) {
          hash.update(chunk);
          buffers.add(chunk.buffer);
        }
        assert.equal(hash.digest('hex'), await patternSha256(file.seed, file.size), file.name);
      }
      assert.ok(buffers.size <= 3, `ten downloads in turn used ${buffers.size} buffers`);

      // Side by side, slowly consumed (so each pauses and resumes), three times over: byte-identical.
      for (let round = 0; round < 3; round++) {
        const results = await Promise.all(
          mid.map(async (file) => consumeSlowly(await provider.read(`${folder}/${file.name}`, { reuseChunks: true }))),
        );
        for (const [i, file] of mid.entries()) {
          assert.equal(results[i]!.sha256, await patternSha256(file.seed, file.size), `${file.name}, round ${round}`);
        }
      }
    } finally {
      await provider.remove(folder, { recursive: true }).catch(() => undefined);
      await provider.close();
    }
  });

  it('a finished download gives back every buffer, the one left waiting for the end included', async () => {
    const payload = Buffer.alloc(10_000, 7);
    const server = createServer((socket) => socket.end(payload));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    // Counts the distinct buffers the pool ever handed out: new ones are allocations.
    const handedOut = new Set<ArrayBufferLike>();
    const pool = new (class extends BufferPool {
      override take(): Buffer {
        const buffer = super.take();
        handedOut.add(buffer.buffer);
        return buffer;
      }
    })(64 * 1024, 8);
    try {
      for (let download = 0; download < 5; download++) {
        const reader = new RecyclingReader(pool, 8);
        reader.createSocket().connect(port, '127.0.0.1');
        let bytes = 0;
        for (let next = await reader.next(); !next.done; next = await reader.next()) bytes += next.value.byteLength;
        assert.equal(bytes, payload.length);
      }
      // Each download fills one buffer (two, should the payload arrive in two reads) and leaves one installed
      // for the read that finds the end; without giving that one back every download would allocate anew.
      assert.ok(handedOut.size <= 3, `five downloads allocated ${handedOut.size} buffers`);
    } finally {
      server.close();
    }
  });

  it('a missing file still fails read() itself with NotFound', async () => {
    const provider = await openProvider(vsftpd.spec());
    try {
      await assert.rejects(provider.read('/pub/absent.bin', { reuseChunks: true }), { code: 'NotFound' });
    } finally {
      await provider.close();
    }
  });
});

describe('ftp uploads finish with each chunk before asking for the next (writeReleasesChunks)', () => {
  const data = Buffer.alloc(12 * 1024 * 1024 + 5);
  let expected: string;
  const servers: Array<{ stop(): Promise<void> }> = [];
  before(async () => {
    let at = 0;
    for await (const chunk of patternBytes('release', data.length)) {
      data.set(chunk, at);
      at += chunk.byteLength;
    }
    expected = createHash('sha256').update(data).digest('hex');
  });
  after(async () => {
    for (const server of servers) await server.stop();
  });

  const cases = {
    vsftpd: async () => {
      const server = await startVsftpd();
      servers.push(server);
      return { provider: await openProvider(server.spec()), folder: server.writablePath };
    },
    'vsftpd, explicit TLS': async () => {
      const server = await startVsftpd({ tls: 'explicit' });
      servers.push(server);
      return { provider: await openProvider(server.spec()), folder: server.writablePath };
    },
    'ftp-srv': async () => {
      const server = await startFtpServer();
      servers.push(server);
      return { provider: await openProvider(server.spec(), server.password), folder: '' };
    },
  };
  for (const [name, open] of Object.entries(cases)) {
    it(`${name}: a source reusing one buffer arrives byte for byte`, async () => {
      const { provider, folder } = await open();
      try {
        assert.equal(provider.capabilities.writeReleasesChunks, true);
        const result = await provider.write(`${folder}/release.bin`, reusedBufferChunks(data), { size: data.length });
        assert.equal(result.size, data.length);
        assert.equal(await sha256Of(await provider.read(`${folder}/release.bin`)), expected);
      } finally {
        await provider.close();
      }
    });
  }
});

class FakeConnection implements PooledConnection {
  alive = true;
  settling = false;
  constructor(readonly id: number) {}
  close(): void {
    this.alive = false;
  }
}

describe('ftp pool: a session settling after a large upload', () => {
  function pool(max: number) {
    let next = 0;
    return new ConnectionPool<FakeConnection>(max, async () => new FakeConnection(++next));
  }

  it('the next command gets another connection, opened while under the limit', async () => {
    const connections = pool(2);
    const first = (await connections.acquire()).connection;
    first.settling = true;
    connections.release(first);
    const second = await connections.acquire();
    assert.equal(second.fresh, true);
    assert.notEqual(second.connection, first);
    connections.release(second.connection);
    // Both idle, the settling one released last: the other is preferred all the same.
    const takeBoth = async () => [(await connections.acquire()).connection, (await connections.acquire()).connection];
    let [a, b] = await takeBoth();
    assert.deepEqual([a, b], [second.connection, first]);
    connections.release(second.connection);
    connections.release(first);
    assert.equal((await connections.acquire()).connection, second.connection);
    // Once it has settled, it is the most recently released one that is preferred again.
    first.settling = false;
    connections.release(second.connection);
    [a, b] = await takeBoth();
    connections.release(a!);
    connections.release(b!);
    assert.equal((await connections.acquire()).connection, b);
    assert.equal(connections.opened, 2);
  });

  it('at the limit a settling connection is still used rather than waiting for nothing', async () => {
    const connections = pool(1);
    const only = (await connections.acquire()).connection;
    only.settling = true;
    connections.release(only);
    const again = await connections.acquire();
    assert.equal(again.connection, only);
    assert.equal(again.fresh, false);
    assert.equal(connections.opened, 1);
  });
});

// FTP servers that never finish: a reply that never ends (issue 14, defect 4) and a listing that drips one
// line every half second (defect 5). Without a bound and a deadline each held FileFerry forever. And one that
// answers late: a reply owed after a refused download. The servers are small hostile ones on 127.0.0.1
// (test/helpers/hostile-ftp.ts).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Logger } from '../../main/core/log/logger';
import { openFtpProvider } from '../../main/core/providers/ftp';
import { ftpSpecSchema, type FtpSpec } from '../../shared/connection';
import type { Entry, Provider } from '../../shared/provider';
import { expectCode } from '../helpers/expect-error';
import {
  startDrippingListServer,
  startEndlessReplyServer,
  startLateReplyServer,
  type HostileFtpServer,
} from '../helpers/hostile-ftp';
import { until, within } from '../helpers/until';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

function specFor(server: HostileFtpServer, overrides: Partial<FtpSpec> = {}): FtpSpec {
  return ftpSpecSchema.parse({ kind: 'ftp', host: server.host, port: server.port, timeoutMs: 30_000, ...overrides });
}

function open(spec: FtpSpec): Promise<Provider> {
  return openFtpProvider(spec, { secrets: async () => undefined, log: quiet });
}

async function listAll(provider: Provider, path: string): Promise<Entry[]> {
  const entries: Entry[] = [];
  for await (const page of provider.list(path)) entries.push(...page);
  return entries;
}

describe('ftp: a control reply that never ends', () => {
  for (const [label, filler] of [
    ['"220 " and then bytes without a line break', 'x'],
    ['"220 " and then endless lines that are no reply', 'junk\r\n'],
  ] as const) {
    it(`fails with a Protocol error naming the server, having read little, after ${label}`, async () => {
      const server = await startEndlessReplyServer(filler);
      try {
        const started = Date.now();
        // The idle timeout is far: every byte restarts it, so only the size bound can end this.
        const error = await within(10_000, expectCode(open(specFor(server)), 'Protocol'), 'connecting');
        assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
        assert.ok(error.message.includes(`127.0.0.1:${server.port}`), error.message);
        assert.match(error.message, /without completing a reply/);
        await until(() => server.closedConnections() === 1, 5_000, 'the client to close the connection');
        // What the server got out: the bound (16 KiB) plus what the sockets' buffers held. Without the
        // bound, tens of gigabytes a minute.
        assert.ok(server.bytesSent() < 32 * 1024 * 1024, `the server wrote ${server.bytesSent()} bytes`);
      } finally {
        await server.stop();
      }
    });
  }
});

describe('ftp: a listing that drips one line every 500 ms', () => {
  let server: HostileFtpServer;

  before(async () => {
    server = await startDrippingListServer(500);
  });
  after(async () => {
    await server?.stop();
  });

  it('ends at the operation deadline with a Timeout that says how to wait longer', async () => {
    const provider = await open(specFor(server, { operationTimeoutMs: 1500 }));
    try {
      const started = Date.now();
      const error = await within(10_000, expectCode(listAll(provider, '/pub'), 'Timeout'), 'the listing');
      const took = Date.now() - started;
      assert.ok(took >= 1400 && took < 4000, `took ${took} ms`);
      assert.ok(error.message.includes(`127.0.0.1:${server.port}`), error.message);
      assert.match(error.message, /after 1\.5 s/);
      assert.match(error.message, /--timeout SECONDS/);
      // The connection it closed is replaced: the next operation works.
      assert.deepEqual(
        (await within(5_000, listAll(provider, '/'), 'listing /')).map((entry) => entry.name),
        ['pub'],
      );
    } finally {
      await provider.close();
    }
  });

  it('waits as long as it was told to (0: no deadline)', async () => {
    const provider = await open(specFor(server, { operationTimeoutMs: 0 }));
    try {
      const listing = listAll(provider, '/pub');
      listing.catch(() => {});
      const outcome = await Promise.race([listing.then(() => 'ended'), sleepThen(3000, 'still listing')]);
      assert.equal(outcome, 'still listing');
    } finally {
      await provider.close();
    }
  });
});

function sleepThen<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(resolve, ms, value));
}

describe('ftp: a reply owed after a refused download (the late "226" pyftpdlib sends)', () => {
  it('reports the missing file, and what follows gets its own answers', async () => {
    const server = await startLateReplyServer();
    // One connection: the one that owes the "226" is the one the next operation would get.
    const provider = await open(specFor(server, { maxConnections: 1 }));
    try {
      await expectCode(
        provider.read('/missing.bin').then(async (chunks) => {
          for await (const chunk of chunks) void chunk;
        }),
        'NotFound',
      );
      // Had the connection been kept, its CWD /made would take the "226" for "the folder is there".
      assert.equal(await provider.mkdir('/made'), true);
      assert.ok(server.commands.includes('MKD /made'), server.commands.join(' | '));
      assert.deepEqual(await listAll(provider, '/'), []);
    } finally {
      await provider.close();
      await server.stop();
    }
  });
});

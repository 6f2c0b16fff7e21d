// Web mode's guards, each tried the way an attacker would: without the token, with a wrong one, from another
// site (Host, Origin), with paths out of the renderer folder (.., encoded, symlinks), with messages that are
// too large, broken or too many, and with a tab that stops reading. A small stub stands in for the API
// service: these tests are about the server, not the engine (api-over-websocket.test.ts drives the real one).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { API_VERSION, type ApiEventKind, type ApiEvents } from '../../shared/api';
import { MAX_CALLS_IN_FLIGHT, MAX_MESSAGE_BYTES, UPLOAD_PATH, WIRE_PATH } from '../../shared/api/wire';
import { contentSecurityPolicy } from '../../shared/security';
import { FerryError } from '../../shared/errors';
import { ApiCallError, type ApiService, type CallContext, type EventListener } from '../../main/core/api/types';
import { startWebServer, type WebServer } from '../../main/server';
import { admit, answers, get, openSocket, send, WireClient } from './web-client';
import { until } from '../helpers/until';

const SECRET = `outside-secret-${randomBytes(8).toString('hex')}`;

/** The API as these tests need it: echo, a call that never ends, the caller's own events, a flood of them. */
function stubService(): ApiService & {
  broadcast<K extends ApiEventKind>(kind: K, payload: ApiEvents[K]): void;
  received: Array<{ uploadId: string; index: number; bytes: number }>;
  /** How each 'paced' call ended. */
  paced: string[];
} {
  const paced: string[] = [];
  const listeners = new Set<EventListener>();
  const received: Array<{ uploadId: string; index: number; bytes: number }> = [];
  return {
    received,
    paced,
    async upload(uploadId, index, body) {
      if (index > 0) throw new FerryError('NotFound', 'No such file in this upload.');
      let bytes = 0;
      for await (const chunk of body) bytes += chunk.length;
      received.push({ uploadId, index, bytes });
    },
    broadcast(kind, payload) {
      for (const listener of listeners) listener(kind, payload);
    },
    async call(method: string, arg: unknown, context: CallContext) {
      switch (method) {
        case 'echo':
          return arg;
        case 'hang':
          return new Promise(() => {});
        case 'mine':
          context.emit('listing', { listingId: 'mine', entries: [], count: 0 });
          return 'sent';
        case 'paced': {
          // The same flood, at the pace of the caller (as a listing sends its pages).
          const big = 'x'.repeat(64 * 1024);
          try {
            for (let i = 0; i < 800; i++) {
              context.emit('listing', { listingId: big, entries: [], count: i });
              await context.drained!();
            }
            paced.push('sent all');
          } catch (error) {
            paced.push((error as FerryError).code);
            throw error;
          }
          return 'paced';
        }
        case 'flood': {
          // 800 events of 64 KiB (50 MiB) at once, for a caller that does not read them.
          const big = 'x'.repeat(64 * 1024);
          for (let i = 0; i < 800; i++) context.emit('listing', { listingId: big, entries: [], count: i });
          return 'flooded';
        }
        default:
          throw new ApiCallError({ code: 'InvalidInput', message: `There is no method "${method}".` });
      }
    },
    on(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    close: async () => {},
  };
}

describe('web mode security', () => {
  let dir: string;
  let rendererDir: string;
  let service: ReturnType<typeof stubService>;
  let server: WebServer;
  let cookie: string;
  const servers: WebServer[] = [];

  const start = async (options: { host?: string; warn?: (line: string) => void; maxBufferedBytes?: number } = {}) => {
    const started = await startWebServer({ rendererDir, service, ...options });
    servers.push(started);
    return started;
  };

  before(async () => {
    // dir/package.json is what a ".." would reach; dir/renderer is served.
    dir = await mkdtemp(join(tmpdir(), 'ferry-web-'));
    rendererDir = join(dir, 'renderer');
    await mkdir(join(rendererDir, 'assets'), { recursive: true });
    await writeFile(join(dir, 'package.json'), SECRET);
    await mkdir(join(dir, 'elsewhere'));
    await writeFile(join(dir, 'elsewhere', 'secret.txt'), SECRET);
    await writeFile(
      join(rendererDir, 'index.html'),
      '<!doctype html><title>t</title><script src="./assets/app.js"></script>',
    );
    await writeFile(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
    await symlink(join(dir, 'package.json'), join(rendererDir, 'leak.json'));
    await symlink(join(dir, 'elsewhere'), join(rendererDir, 'linked'));
    service = stubService();
    server = await start();
    cookie = await admit(server.url);
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('admits the printed address once, sets an HttpOnly SameSite=Strict cookie and drops the token from the URL', async () => {
    const url = new URL(server.url);
    assert.equal(url.hostname, '127.0.0.1');
    assert.equal(url.pathname, '/');
    const token = url.searchParams.get('token')!;
    assert.ok(Buffer.from(token, 'base64url').length >= 16, 'at least 128 bits');
    assert.notEqual(new URL((await start()).url).searchParams.get('token'), token, 'a new token per launch');

    const first = await get(server.origin, `/?token=${token}`);
    assert.equal(first.status, 303);
    assert.equal(first.headers.location, '/');
    const setCookie = first.headers['set-cookie']![0]!;
    assert.match(setCookie, new RegExp(`^fileferry_${url.port}=${token};`));
    for (const attribute of ['HttpOnly', 'SameSite=Strict', 'Path=/'])
      assert.ok(setCookie.split('; ').includes(attribute), `${attribute} in ${setCookie}`);
    assert.equal(
      (await get(server.origin, `/assets/app.js?token=${token}&v=2`)).headers.location,
      '/assets/app.js?v=2',
    );

    const page = await get(server.origin, '/', { Cookie: cookie });
    assert.equal(page.status, 200);
    assert.match(page.body, /<title>t<\/title>/);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(page.headers['cache-control'], 'no-store');
    const script = await get(server.origin, '/assets/app.js', { Cookie: cookie });
    assert.equal(script.status, 200);
    assert.equal(script.headers['content-type'], 'text/javascript; charset=utf-8');
    for (const answer of [page, script, first]) {
      assert.equal(answer.headers['content-security-policy'], contentSecurityPolicy({ connect: [`ws://${url.host}`] }));
      assert.match(
        String(answer.headers['content-security-policy']),
        new RegExp(`connect-src 'self' ws://${url.host};`),
      );
      assert.equal(answer.headers['x-content-type-options'], 'nosniff');
      assert.equal(answer.headers['referrer-policy'], 'no-referrer');
    }
  });

  it('answers 403 to every request and upgrade without the cookie, or with a wrong token', async () => {
    for (const path of ['/', '/index.html', '/assets/app.js', '/missing'])
      assert.equal((await get(server.origin, path)).status, 403, path);
    const wrong = await get(server.origin, '/?token=wrong');
    assert.equal(wrong.status, 403);
    assert.equal(wrong.headers['set-cookie'], undefined);
    const token = new URL(server.url).searchParams.get('token')!;
    const sameLength = randomBytes(32).toString('base64url');
    assert.equal((await get(server.origin, `/?token=${sameLength}`)).status, 403);
    const name = cookie.split('=')[0]!;
    assert.equal((await get(server.origin, '/', { Cookie: `${name}=${sameLength}` })).status, 403);
    assert.equal((await get(server.origin, '/', { Cookie: `other=${token}` })).status, 403, 'another cookie name');
    assert.equal((await get(server.origin, '/', { Cookie: `${name}=${token}x` })).status, 403);
    await assert.rejects(openSocket(server.origin), { status: 403 });
    await assert.rejects(openSocket(server.origin, { cookie: `${name}=${sameLength}` }), { status: 403 });
    // A token in the upgrade's URL does not replace the cookie.
    await assert.rejects(openSocket(server.origin, { path: `${WIRE_PATH}?token=${token}` }), { status: 403 });
    (await openSocket(server.origin, { cookie })).close();
  });

  it('answers 403 when Host is not the bound address (DNS rebinding), to HTTP and the upgrade', async () => {
    const { port } = new URL(server.origin);
    const token = new URL(server.url).searchParams.get('token')!;
    for (const host of ['evil.example', `evil.example:${port}`, `localhost:${port}`, '127.0.0.1', `127.0.0.1:1`]) {
      assert.equal((await get(server.origin, '/', { Cookie: cookie, Host: host })).status, 403, host);
      const admitted = await get(server.origin, `/?token=${token}`, { Host: host });
      assert.equal(admitted.status, 403, `token with Host ${host}`);
      assert.equal(admitted.headers['set-cookie'], undefined);
      await assert.rejects(openSocket(server.origin, { cookie, host }), { status: 403 }, host);
    }
    assert.equal((await get(server.origin, '/', { Cookie: cookie, Host: `127.0.0.1:${port}` })).status, 200);
  });

  it('refuses a foreign Origin on the upgrade (cross-site WebSocket hijacking) and on HTTP', async () => {
    const { port } = new URL(server.origin);
    for (const origin of [
      'http://evil.example',
      'null',
      `http://127.0.0.1:${Number(port) + 1}`,
      `https://127.0.0.1:${port}`,
    ]) {
      await assert.rejects(openSocket(server.origin, { cookie, origin }), { status: 403 }, origin);
      assert.equal((await get(server.origin, '/', { Cookie: cookie, Origin: origin })).status, 403, origin);
    }
    const own = await openSocket(server.origin, { cookie, origin: server.origin });
    own.close();
    assert.equal((await get(server.origin, '/', { Cookie: cookie, Origin: server.origin })).status, 200);
  });

  it('serves only the renderer folder: no "..", encoded or not, and no symlink out of it', async () => {
    const attempts = [
      '/../package.json',
      '/%2e%2e/package.json',
      '/%2E%2E/package.json',
      '/..%2fpackage.json',
      '/%2e%2e%2fpackage.json',
      '/assets/../../package.json',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/..%5cpackage.json',
      '/leak.json',
      '/linked/secret.txt',
      '/%2fetc%2fpasswd',
    ];
    for (const path of attempts) {
      const answer = await get(server.origin, path, { Cookie: cookie });
      assert.ok([400, 403, 404].includes(answer.status), `${path}: ${answer.status}`);
      assert.ok(!answer.body.includes(SECRET), `${path} leaked the file outside`);
      assert.ok(!answer.body.includes('root:'), `${path} leaked /etc/passwd`);
    }
    assert.equal((await get(server.origin, '/missing.js', { Cookie: cookie })).status, 404);
    assert.equal((await get(server.origin, '/assets', { Cookie: cookie })).status, 404, 'a folder is no file');
    assert.equal((await get(server.origin, '/assets/app.js', { Cookie: cookie })).status, 200);
  });

  it("passes a dropped file's PUT through the same checks, then streams its body to the service", async () => {
    const id = randomUUID();
    const body = randomBytes(300_000);
    const target = `${UPLOAD_PATH}/${id}/0`;
    assert.equal((await send(server.origin, target, body, {})).status, 403, 'no cookie');
    assert.equal(
      (await send(server.origin, target, body, { Cookie: cookie, Origin: 'http://evil.example' })).status,
      403,
    );
    assert.equal((await send(server.origin, target, body, { Cookie: cookie, Host: 'evil.example' })).status, 403);
    assert.deepEqual(service.received, [], 'nothing reached the service');
    assert.equal((await send(server.origin, target, body, { Cookie: cookie, Origin: server.origin })).status, 204);
    assert.deepEqual(service.received, [{ uploadId: id, index: 0, bytes: body.length }]);
    const missing = await send(server.origin, `${UPLOAD_PATH}/${id}/1`, body, { Cookie: cookie });
    assert.equal(missing.status, 404);
    assert.equal(JSON.parse(missing.body).code, 'NotFound');
    assert.equal((await send(server.origin, `${UPLOAD_PATH}/../package.json`, body, { Cookie: cookie })).status, 405);
    assert.equal((await get(server.origin, target, { Cookie: cookie })).status, 404, 'no GET of an upload');
    assert.equal(service.received.length, 1);
  });

  it('never answers with Access-Control-Allow-Origin, a preflight included', async () => {
    const preflight = await get(
      server.origin,
      '/',
      { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'GET' },
      'OPTIONS',
    );
    assert.equal(preflight.status, 403);
    const own = await get(server.origin, WIRE_PATH, { Cookie: cookie, Origin: server.origin }, 'OPTIONS');
    assert.equal(own.status, 405);
    assert.ok(answers.length > 30, `${answers.length} answers seen`);
    for (const answer of answers) {
      assert.equal(answer.headers['access-control-allow-origin'], undefined);
      assert.equal(answer.headers['access-control-allow-credentials'], undefined);
    }
  });

  it('listens on 127.0.0.1 only: another address of this machine refuses the connection', async () => {
    const { port } = new URL(server.origin);
    const others = [
      '127.0.0.2',
      '::1',
      ...Object.values(networkInterfaces())
        .flat()
        .filter((a) => a && !a.internal && a.family === 'IPv4')
        .map((a) => a!.address),
    ];
    for (const address of others) await assert.rejects(connectTo(address, Number(port)), /ECONNREFUSED/, address);
    (await connectTo('127.0.0.1', Number(port))).destroy();

    // Another address is the user's explicit choice, with a warning; the checks follow it.
    const warnings: string[] = [];
    const elsewhere = await start({ host: '127.0.0.2', warn: (line) => warnings.push(line) });
    assert.match(warnings.join('\n'), /warning: web mode listens on 127\.0\.0\.2, not 127\.0\.0\.1/);
    assert.equal(new URL(elsewhere.url).hostname, '127.0.0.2');
    const admitted = await admit(elsewhere.url);
    assert.equal((await get(elsewhere.origin, '/', { Cookie: admitted })).status, 200);
    const { port: otherPort } = new URL(elsewhere.origin);
    await assert.rejects(connectTo('127.0.0.1', Number(otherPort)), /ECONNREFUSED/);
    assert.equal(warnings.length, 1);
    await assert.rejects(start({ host: '0.0.0.0' }), /one address, not on every one/);
  });

  it('refuses to start without a built renderer, saying how to build it', async () => {
    const empty = join(dir, 'empty');
    await mkdir(empty);
    await assert.rejects(
      startWebServer({ rendererDir: empty, service }),
      /index\.html does not exist\. Run `npm run build` first/,
    );
    await assert.rejects(startWebServer({ rendererDir: join(dir, 'none'), service }), /npm run build/);
  });

  describe('the WebSocket', () => {
    it('says welcome to this API version, and an error then the close to another', async () => {
      const client = await WireClient.open(server.origin, cookie);
      assert.deepEqual(client.messages[0], { type: 'welcome', api: API_VERSION });
      assert.deepEqual(await client.value('echo', { a: 1 }), { a: 1 }, 'calls are answered');
      client.ws.close();

      const old = new WireClient(await openSocket(server.origin, { cookie }));
      old.ws.send(JSON.stringify({ type: 'hello', api: API_VERSION - 1 }));
      const closed = await old.whenClosed();
      assert.equal(closed.code, 1008);
      assert.equal(old.messages.length, 1);
      const error = old.messages[0]!;
      assert.ok(error.type === 'error' && error.error.code === 'Unsupported', JSON.stringify(error));
      assert.match(error.error.message, /reload the page/);

      const early = new WireClient(await openSocket(server.origin, { cookie }));
      early.ws.send(JSON.stringify({ type: 'call', id: 1, method: 'echo', arg: 1 }));
      assert.equal((await early.whenClosed()).code, 1008, 'no call before hello');
      assert.ok(!early.messages.some((m) => m.type === 'result'));
    });

    it("routes a call's errors and its own events to the caller only; broadcasts reach every connection", async () => {
      const [a, b] = await Promise.all([
        WireClient.open(server.origin, cookie),
        WireClient.open(server.origin, cookie),
      ]);
      const failed = await a.call('no.such');
      assert.ok(!failed.ok && failed.error.code === 'InvalidInput', JSON.stringify(failed));
      assert.equal(await a.value('mine'), 'sent');
      await a.next((m) => m.type === 'event' && m.kind === 'listing');
      service.broadcast('settings', { theme: 'dark' } as ApiEvents['settings']);
      await a.next((m) => m.type === 'event' && m.kind === 'settings');
      await b.next((m) => m.type === 'event' && m.kind === 'settings');
      assert.ok(!b.messages.some((m) => m.type === 'event' && m.kind === 'listing'), "a's listing stays with a");
      a.ws.close();
      b.ws.close();
    });

    it('closes a connection that sends an oversized message (1009) and goes on serving the others', async () => {
      const [big, other] = await Promise.all([
        WireClient.open(server.origin, cookie),
        WireClient.open(server.origin, cookie),
      ]);
      const huge = JSON.stringify({ type: 'call', id: 1, method: 'echo', arg: 'x'.repeat(MAX_MESSAGE_BYTES) });
      big.ws.send(huge);
      assert.equal((await big.whenClosed()).code, 1009);
      assert.ok(!big.messages.some((m) => m.type === 'result'), 'the oversized call was not run');
      assert.equal(await other.value('echo', 'still here'), 'still here');
      // Just under the limit still passes.
      const fits = 'y'.repeat(MAX_MESSAGE_BYTES - 100);
      assert.equal(await other.value('echo', fits), fits);
      const fresh = await WireClient.open(server.origin, cookie);
      assert.equal(await fresh.value('echo', 1), 1);
      other.ws.close();
      fresh.ws.close();
    });

    it('closes a connection that sends malformed JSON (1007) or a binary frame (1003)', async () => {
      const broken = await WireClient.open(server.origin, cookie);
      broken.ws.send('{"type":"call","id":1,');
      assert.equal((await broken.whenClosed()).code, 1007);
      const binary = await WireClient.open(server.origin, cookie);
      binary.ws.send(Buffer.from(JSON.stringify({ type: 'call', id: 1, method: 'echo' })));
      assert.equal((await binary.whenClosed()).code, 1003);
    });

    it(`closes a connection with more than ${MAX_CALLS_IN_FLIGHT} calls under way (1008)`, async () => {
      const patient = await WireClient.open(server.origin, cookie);
      const hang = (id: number) => patient.ws.send(JSON.stringify({ type: 'call', id, method: 'hang' }));
      for (let id = 1000; id < 1000 + MAX_CALLS_IN_FLIGHT - 1; id++) hang(id);
      assert.equal(await patient.value('echo', 'the last one allowed'), 'the last one allowed');
      hang(2000); // now MAX_CALLS_IN_FLIGHT under way
      patient.ws.send(JSON.stringify({ type: 'call', id: 2001, method: 'echo', arg: 'one too many' }));
      assert.equal((await patient.whenClosed()).code, 1008);
      assert.ok(!patient.messages.some((m) => m.type === 'result' && m.id === 2001), 'the extra call was not run');
      const error = patient.messages.find((m) => m.type === 'error');
      assert.ok(error?.type === 'error' && /calls were under way/.test(error.error.message), JSON.stringify(error));
    });

    it('paces what a caller asked for to its reading (a listing waits), and stops when the caller goes', async () => {
      const { port } = new URL(server.origin);
      const flood = 800 * 64 * 1024;
      const raw = await rawUpgrade(Number(port), cookie);
      raw.socket.write(maskedTextFrame(JSON.stringify({ type: 'hello', api: API_VERSION })));
      await raw.received((bytes) => bytes > 0);
      raw.socket.pause(); // a busy tab: it reads again in a second
      let closed = false;
      raw.socket.once('close', () => (closed = true));
      raw.socket.write(maskedTextFrame(JSON.stringify({ type: 'call', id: 1, method: 'paced' })));
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.ok(raw.bytes() < flood / 4, `${raw.bytes()} bytes went out while the tab did not read`);
      raw.socket.resume();
      await raw.received((bytes) => bytes > flood);
      await until(() => service.paced.length === 1, 10_000, 'the paced call to end');
      assert.deepEqual(service.paced, ['sent all']);
      assert.equal(closed, false, 'the connection stayed open');

      // A caller that goes while it is being paced: the sender stops (Cancelled), it does not send on.
      const leaving = await rawUpgrade(Number(port), cookie);
      leaving.socket.write(maskedTextFrame(JSON.stringify({ type: 'hello', api: API_VERSION })));
      await leaving.received((bytes) => bytes > 0);
      leaving.socket.pause();
      leaving.socket.write(maskedTextFrame(JSON.stringify({ type: 'call', id: 1, method: 'paced' })));
      await new Promise((resolve) => setTimeout(resolve, 300));
      leaving.socket.destroy();
      await until(() => service.paced.length === 2, 10_000, 'the second paced call to end');
      assert.deepEqual(service.paced, ['sent all', 'Cancelled']);
      raw.socket.destroy();
    });

    it('cuts off a connection that stops reading instead of buffering for it, and serves the others', async () => {
      const { port } = new URL(server.origin);
      const raw = await rawUpgrade(Number(port), cookie);
      raw.socket.write(maskedTextFrame(JSON.stringify({ type: 'hello', api: API_VERSION })));
      await raw.received((bytes) => bytes > 0);
      raw.socket.pause(); // a tab that no longer reads
      raw.socket.write(maskedTextFrame(JSON.stringify({ type: 'call', id: 1, method: 'flood' })));
      const ended = new Promise<void>((resolve) => raw.socket.once('close', () => resolve()));
      await new Promise((resolve) => setTimeout(resolve, 500));
      raw.socket.resume();
      const cut = await Promise.race([ended.then(() => true), new Promise((r) => setTimeout(() => r(false), 10_000))]);
      assert.ok(cut, 'the server closed the stalled connection');
      assert.ok(raw.bytes() > 0);
      const flood = 800 * 64 * 1024;
      assert.ok(raw.bytes() < flood / 2, `${raw.bytes()} of ${flood} bytes were kept for the stalled connection`);
      const other = await WireClient.open(server.origin, cookie);
      assert.equal(await other.value('echo', 'fine'), 'fine');
      other.ws.close();
    });
  });
});

function connectTo(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** A WebSocket handshake by hand on a plain socket, so the test controls when it reads. */
async function rawUpgrade(port: number, cookie: string) {
  const socket = await connectTo('127.0.0.1', port);
  let bytes = 0;
  socket.on('data', (chunk: Buffer) => (bytes += chunk.length));
  socket.write(
    [
      `GET ${WIRE_PATH} HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      `Cookie: ${cookie}`,
      '',
      '',
    ].join('\r\n'),
  );
  const received = async (enough: (bytes: number) => boolean) => {
    while (!enough(bytes)) await new Promise((resolve) => setTimeout(resolve, 10));
  };
  await received((n) => n > 0); // the 101 answer
  const handshake = bytes;
  return {
    socket,
    bytes: () => bytes - handshake,
    received: (enough: (n: number) => boolean) => received((n) => enough(n - handshake)),
  };
}

/** One client-to-server text frame (clients must mask: RFC 6455 §5.3). */
function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = randomBytes(4);
  const length = payload.length;
  const header =
    length < 126 ? Buffer.from([0x81, 0x80 | length]) : Buffer.from([0x81, 0x80 | 126, length >> 8, length & 0xff]);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
  return Buffer.concat([header, mask, masked]);
}

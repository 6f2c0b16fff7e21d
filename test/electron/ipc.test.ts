// The desktop app's API path without the Electron binary: the renderer's client (renderer/src/api) on the
// preload's bridge (preload/bridge.ts) on a fake ipcRenderer, wired to the IPC adapter (main/electron/ipc.ts)
// through a fake ipcMain that behaves as Electron's does (handlers by channel, a rejected handler reaching the
// renderer as "Error invoking remote method '…': Error: <message>"), over the real service layer and the local
// disk. Then the same adapter refusing calls from frames that are not our window's top frame.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  API_CHANNELS,
  API_EVENTS,
  API_GLOBAL,
  API_METHODS,
  EVENT_CHANNELS,
  type DesktopBridge,
  type FileFerryApi,
  type ListingPage,
} from '../../shared/api';
import { DRAG_OUT_CHANNEL } from '../../shared/api/desktop';
import type { JobSnapshot, TransferEvent } from '../../shared/transfers';
import { createApiService } from '../../main/core/api/service';
import type { ApiService } from '../../main/core/api/types';
import { ConnectionStore } from '../../main/core/connections';
import { SessionCredentialStore } from '../../main/core/credentials';
import { broadcastEvents, ipcError, registerApiHandlers, type InvokeEvent } from '../../main/electron/ipc';
import { RENDERER_ORIGIN } from '../../main/electron/renderer-protocol';
import { createDesktopBridge, type BridgeIpc } from '../../preload/bridge';
import { createApiClient } from '../../renderer/src/api/client';
import { ipcTransport } from '../../renderer/src/api/ipc-transport';
import { ApiClientError } from '../../renderer/src/api/transport';
import { createLogger } from '../../main/core/log/logger';
import { until } from '../helpers/until';
import { removeDirs, tempDir } from '../transfers/fixtures';

type Handler = (event: InvokeEvent, arg: unknown) => Promise<unknown>;
type Listener = (event: unknown, payload: unknown) => void;

/** ipcMain as Electron has it: one handler per channel, registered once. */
class FakeIpcMain {
  readonly handlers = new Map<string, Handler>();
  handle(channel: string, handler: Handler): void {
    assert.ok(!this.handlers.has(channel), `a second handler for ${channel}`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
}

/** One renderer: a webContents (what main sends to) and its ipcRenderer (what the preload uses). */
class FakeRenderer {
  readonly sent: Array<{ channel: string; payload: unknown }> = [];
  readonly listeners = new Map<string, Set<Listener>>();
  destroyed = false;
  readonly webContents: InvokeEvent['sender'];

  constructor(
    private readonly ipcMain: FakeIpcMain,
    readonly id: number,
    public frame: { url: string; parent: unknown } | null = { url: `${RENDERER_ORIGIN}/index.html`, parent: null },
  ) {
    this.webContents = {
      id,
      isDestroyed: () => this.destroyed,
      send: (channel: string, payload: unknown) => {
        this.sent.push({ channel, payload });
        // Electron delivers to the preload's listeners with an IpcRendererEvent first.
        for (const listener of this.listeners.get(channel) ?? []) listener({ sender: 'ipcRenderer itself' }, payload);
      },
    };
  }

  readonly ipcRenderer: BridgeIpc = {
    invoke: async (channel, arg) => {
      const handler = this.ipcMain.handlers.get(channel);
      if (!handler)
        throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
      // Electron clones the argument across processes and passes only the error's string form back.
      const event: InvokeEvent = { sender: this.webContents, senderFrame: this.frame };
      try {
        return structuredClone(await handler(event, structuredClone(arg)));
      } catch (error) {
        // eslint-disable-next-line preserve-caught-error -- Electron passes only the text across processes
        throw new Error(`Error invoking remote method '${channel}': ${String(error)}`);
      }
    },
    send: (channel, payload) => this.sent.push({ channel: `to-main:${channel}`, payload }),
    on: (channel, listener) => {
      const set = this.listeners.get(channel) ?? new Set<Listener>();
      set.add(listener);
      this.listeners.set(channel, set);
    },
    removeListener: (channel, listener) => void this.listeners.get(channel)?.delete(listener),
  };
}

describe('the IPC adapter with the preload bridge and the renderer client', () => {
  const dirs: string[] = [];
  let service: ApiService;
  let ipcMain: FakeIpcMain;
  let own: FakeRenderer;
  let other: FakeRenderer;
  let bridge: DesktopBridge;
  let api: FileFerryApi;
  let calls = 0;
  let disk: string;

  before(async () => {
    const dataDir = await tempDir('ferry-ipc-data-');
    disk = await tempDir('ferry-ipc-disk-');
    dirs.push(dataDir, disk);
    const store = new ConnectionStore({ dataDir, credentials: new SessionCredentialStore('test') });
    const real = await createApiService({ dataDir, version: '1.2.3', shell: 'desktop', connections: store });
    service = { ...real, call: (...args) => (calls++, real.call(...args)) };
    ipcMain = new FakeIpcMain();
    own = new FakeRenderer(ipcMain, 1);
    other = new FakeRenderer(ipcMain, 2);
    const windows = [own, other];
    registerApiHandlers({
      ipcMain,
      service,
      trusted: { isOwnContents: (id) => windows.some((w) => w.id === id), origins: [RENDERER_ORIGIN] },
      log: createLogger({ component: 'test' }),
    });
    broadcastEvents(service, () => windows.map((w) => w.webContents));
    bridge = createDesktopBridge(own.ipcRenderer, () => '/dropped/file.txt');
    api = createApiClient(ipcTransport(bridge));
  });
  after(async () => {
    await service?.close();
    await removeDirs(...dirs);
  });

  it('registers one handler per API method, on its channel, and nothing else', () => {
    assert.deepEqual([...ipcMain.handlers.keys()].sort(), API_METHODS.map((m) => API_CHANNELS[m]).sort());
  });

  it('exposes exactly DesktopBridge: a function per method, a subscribe per event, pathForFile and startDrag', () => {
    assert.deepEqual(Object.keys(bridge).sort(), [...API_METHODS, 'events', 'pathForFile', 'startDrag'].sort());
    assert.deepEqual(Object.keys(bridge.events).sort(), [...API_EVENTS].sort());
    for (const method of API_METHODS) assert.equal(typeof bridge[method], 'function', method);
    assert.equal(bridge.pathForFile({}), '/dropped/file.txt');
    assert.equal(API_GLOBAL, 'fileferry');
    // Nothing on the bridge hands out ipcRenderer: every value is a plain function or the events record.
    for (const value of Object.values(bridge)) assert.notEqual(value, own.ipcRenderer);
  });

  it('answers a call through the whole path (app.info says desktop)', async () => {
    const info = await api.app.info();
    assert.equal(info.shell, 'desktop');
    assert.equal(info.version, '1.2.3');
    assert.equal(info.capabilities.dragOut, true);
  });

  it("sends a listing's pages to the window that asked, without the IPC event", async () => {
    await writeFile(join(disk, 'a.txt'), 'a');
    await mkdir(join(disk, 'folder'));
    const pages: ListingPage[] = [];
    const stop = api.on('listing', (page) => void pages.push(page));
    const listingsElsewhere = () => other.sent.filter(({ channel }) => channel === EVENT_CHANNELS.listing).length;
    const { count } = await api.browse.list({
      listingId: 'l1',
      location: { connection: { spec: { kind: 'local', root: disk } }, path: '/' },
    });
    stop();
    assert.equal(count, 2);
    assert.deepEqual(pages.flatMap((page) => page.entries.map((entry) => entry.name)).sort(), ['a.txt', 'folder']);
    assert.equal(pages.at(-1)?.done, 'complete');
    assert.ok(
      pages.every((page) => !('sender' in page)),
      'the listener got the payload, not the event',
    );
    assert.equal(listingsElsewhere(), 0, 'no listing page went to the other window');
    assert.equal(own.listeners.get(EVENT_CHANNELS.listing)?.size ?? 0, 0, 'unsubscribed');
  });

  it('carries a typed error back: its code, its message and its details', async () => {
    await assert.rejects(
      api.browse.stat({ location: { connection: { spec: { kind: 'local', root: disk } }, path: '/missing.txt' } }),
      (error: unknown) => {
        assert.ok(error instanceof ApiClientError);
        assert.equal(error.code, 'NotFound');
        assert.match(error.message, /missing\.txt/);
        return true;
      },
    );
    await assert.rejects(
      bridge['browse.stat']({ location: { connection: { spec: { kind: 'nope' } }, path: 3 } } as never),
      (error: unknown) => {
        // The raw message as the renderer gets it from Electron: the ApiError's JSON at its end.
        const text = (error as Error).message;
        assert.match(
          text,
          /^Error invoking remote method 'ferry:browse\.stat': Error: \{"code":"InvalidInput","message":".+"\}$/s,
        );
        return true;
      },
    );
    // Details (a certificate's fingerprint, say) survive the trip too, as does a message with braces in it.
    const failing = {
      'app.info': async () => {
        const error = ipcError({
          code: 'AuthFailed',
          message: 'Trust {this}?',
          details: { fingerprint: 'ab:cd', port: 21 },
        });
        throw new Error(`Error invoking remote method '${API_CHANNELS['app.info']}': ${String(error)}`);
      },
    } as unknown as DesktopBridge;
    await assert.rejects(createApiClient(ipcTransport(failing)).app.info(), (error: unknown) => {
      assert.ok(error instanceof ApiClientError);
      assert.deepEqual(
        [error.code, error.message, error.details],
        ['AuthFailed', 'Trust {this}?', { fingerprint: 'ab:cd', port: 21 }],
      );
      return true;
    });
  });

  it('runs one transfer and broadcasts its events to every window', async () => {
    await writeFile(join(disk, 'report.csv'), 'x,y\n1,2\n');
    await mkdir(join(disk, 'target'));
    const job = await api.transfers.add({
      source: { connection: { spec: { kind: 'local', root: disk } }, path: '/report.csv' },
      target: { connection: { spec: { kind: 'local', root: disk } }, path: '/target' },
      intoFolder: true,
    });
    const finished = (renderer: FakeRenderer) =>
      renderer.sent.some(({ channel, payload }) => {
        const event = payload as TransferEvent;
        return (
          channel === EVENT_CHANNELS.transfer &&
          event.type === 'job' &&
          event.job.id === job.id &&
          event.job.state === 'completed'
        );
      });
    await until(() => finished(own) && finished(other), 10_000, 'the completed job event in both windows');
    assert.equal(await readFile(join(disk, 'target', 'report.csv'), 'utf8'), 'x,y\n1,2\n');
    const listed = (await api.transfers.list()) as JobSnapshot[];
    assert.equal(listed.find((j) => j.id === job.id)?.state, 'completed');
  });

  it('skips a window that is gone when broadcasting', async () => {
    other.destroyed = true;
    const before = other.sent.length;
    await api.settings.set({ compactRows: true });
    await until(() => own.sent.some(({ channel }) => channel === EVENT_CHANNELS.settings), 5_000, 'the settings event');
    assert.equal(other.sent.length, before);
    other.destroyed = false;
  });

  it('sends startDrag to main on its own channel', () => {
    const location = { connection: { spec: { kind: 'local' as const } }, path: '/tmp/a' };
    bridge.startDrag([location]);
    assert.deepEqual(own.sent.at(-1), { channel: `to-main:${DRAG_OUT_CHANNEL}`, payload: [location] });
  });

  it('refuses a call from a foreign frame, a subframe or another web contents before the service sees it', async () => {
    const target = join(disk, 'made-by-an-attacker');
    const mkdirFrom = (renderer: FakeRenderer) =>
      createDesktopBridge(renderer.ipcRenderer, () => '')['browse.mkdir']({
        location: { connection: { spec: { kind: 'local', root: disk } }, path: '/made-by-an-attacker' },
      });
    const cases: Array<[string, FakeRenderer]> = [
      ['a foreign origin', new FakeRenderer(ipcMain, 1, { url: 'https://evil.example/', parent: null })],
      ['a subframe of ours', new FakeRenderer(ipcMain, 1, { url: `${RENDERER_ORIGIN}/index.html`, parent: {} })],
      ['a web contents not ours', new FakeRenderer(ipcMain, 42)],
      ['a frame that is gone', new FakeRenderer(ipcMain, 1, null)],
    ];
    const callsBefore = calls;
    for (const [what, renderer] of cases) {
      await assert.rejects(mkdirFrom(renderer), (error: unknown) => {
        assert.match(
          (error as Error).message,
          /\{"code":"PermissionDenied","message":"FileFerry answers only its own window/,
          what,
        );
        return true;
      });
    }
    assert.equal(calls, callsBefore, 'the service was never called');
    await assert.rejects(stat(target), { code: 'ENOENT' });
  });
});

// The Electron shell's hardening, unit by unit with fake Electron objects (no Electron binary runs here): the
// window's webPreferences and what it loads, the Content-Security-Policy and the protocol that serves the
// renderer with it, navigation and window.open, permissions, and the sender check every IPC call passes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { BrowserWindowConstructorOptions } from 'electron';
import { contentSecurityPolicy } from '../../shared/security';
import {
  denyAllPermissions,
  hardenContents,
  isExternalLink,
  type GuardedContents,
  type PreventableEvent,
} from '../../main/electron/hardening';
import { RENDERER_ENTRY, RENDERER_ORIGIN, rendererFiles } from '../../main/electron/renderer-protocol';
import { isTrustedSender, type SenderEvent } from '../../main/electron/sender';
import { createMainWindow, rendererUrl, trustedOrigins } from '../../main/electron/window';
import { removeDirs, tempDir } from '../transfers/fixtures';

/** A BrowserWindow stand-in that records what the factory did with it. */
class FakeWindow {
  static last: FakeWindow | undefined;
  readonly calls: string[] = [];
  loaded?: string;
  private readyToShow?: () => void;

  constructor(readonly options: BrowserWindowConstructorOptions) {
    FakeWindow.last = this;
  }
  async loadURL(url: string): Promise<void> {
    this.loaded = url;
  }
  maximize(): void {
    this.calls.push('maximize');
  }
  show(): void {
    this.calls.push('show');
  }
  once(_event: 'ready-to-show', listener: () => void): void {
    this.readyToShow = listener;
  }
  becomeReady(): void {
    this.readyToShow?.();
  }
}

const PRELOAD = '/app/out/preload/index.cjs';

describe('the window factory', () => {
  it('creates the window isolated, sandboxed, without Node, with web security and no DevTools when packaged', () => {
    const window = createMainWindow(FakeWindow, { preload: PRELOAD, isPackaged: true });
    const prefs = window.options.webPreferences!;
    assert.equal(prefs.preload, PRELOAD);
    assert.equal(prefs.contextIsolation, true);
    assert.equal(prefs.sandbox, true);
    assert.equal(prefs.nodeIntegration, false);
    assert.equal(prefs.nodeIntegrationInWorker, false);
    assert.equal(prefs.nodeIntegrationInSubFrames, false);
    assert.equal(prefs.webSecurity, true);
    assert.equal(prefs.allowRunningInsecureContent, false);
    assert.equal(prefs.experimentalFeatures, false);
    assert.equal(prefs.webviewTag, false);
    assert.equal(prefs.navigateOnDragDrop, false);
    assert.equal(prefs.disableBlinkFeatures, 'Auxclick');
    assert.equal(prefs.devTools, false);
    assert.equal(prefs.enableBlinkFeatures, undefined);
    assert.equal(window.options.show, false, 'shown only once its first frame is ready');
    assert.equal(window.loaded, 'app://fileferry/index.html');
    window.becomeReady();
    assert.deepEqual(window.calls, ['show']);
  });

  it('keeps DevTools for an unpackaged run, and opens where the window was, maximised if it was', () => {
    const state = { x: 40, y: 60, width: 1000, height: 700, maximized: true };
    const window = createMainWindow(FakeWindow, { preload: PRELOAD, isPackaged: false, state });
    assert.equal(window.options.webPreferences!.devTools, true);
    assert.deepEqual(
      [window.options.x, window.options.y, window.options.width, window.options.height],
      [40, 60, 1000, 700],
    );
    window.becomeReady();
    assert.deepEqual(window.calls, ['maximize']);
  });

  it('never loads a remote URL in a packaged build, and only a loopback dev server otherwise', () => {
    const dev = 'http://localhost:5173/';
    assert.equal(rendererUrl({ isPackaged: true, devServerUrl: dev }), RENDERER_ENTRY);
    assert.deepEqual(trustedOrigins({ isPackaged: true, devServerUrl: dev }), [RENDERER_ORIGIN]);
    assert.equal(rendererUrl({ isPackaged: false, devServerUrl: dev }), dev);
    assert.deepEqual(trustedOrigins({ isPackaged: false, devServerUrl: dev }), [
      RENDERER_ORIGIN,
      'http://localhost:5173',
    ]);
    for (const remote of ['https://evil.example/', 'http://192.168.1.5:5173/', 'file:///tmp/x.html', 'not a url']) {
      assert.equal(rendererUrl({ isPackaged: false, devServerUrl: remote }), RENDERER_ENTRY, remote);
      assert.deepEqual(trustedOrigins({ isPackaged: false, devServerUrl: remote }), [RENDERER_ORIGIN], remote);
    }
  });
});

// The evaluator electronegativity runs on the policies it can read (it cannot read a computed one).
const cspEvaluator = createRequire(import.meta.url)('@doyensec/csp-evaluator') as {
  CspParser: new (policy: string) => { csp: unknown };
  CspEvaluator: new (
    csp: unknown,
    version: unknown,
  ) => {
    evaluate(): Array<{ severity: number; directive: string; description: string }>;
  };
  Version: { CSP3: unknown };
  severities: Record<string, number>;
};

describe('the Content-Security-Policy', () => {
  const policy = contentSecurityPolicy();
  const directives = new Map(
    policy.split(';').map((part) => {
      const [name, ...values] = part.trim().split(/\s+/);
      return [name!, values] as const;
    }),
  );

  it('allows no inline script or style, no eval, and connects to nothing but its own origin', () => {
    assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval|unsafe-hashes|wasm-unsafe-eval|\*/);
    assert.deepEqual(directives.get('default-src'), ["'none'"]);
    assert.deepEqual(directives.get('script-src'), ["'self'"]);
    assert.deepEqual(directives.get('style-src'), ["'self'"]);
    assert.deepEqual(directives.get('connect-src'), ["'self'"]);
    assert.deepEqual(directives.get('object-src'), ["'none'"]);
    assert.deepEqual(directives.get('frame-ancestors'), ["'none'"]);
    assert.deepEqual(directives.get('base-uri'), ["'none'"]);
    assert.deepEqual(directives.get('form-action'), ["'none'"]);
  });

  it("passes electronegativity's CSP evaluator with nothing worse than its note on 'self' scripts", () => {
    const { CspParser, CspEvaluator, Version, severities } = cspEvaluator;
    const findings = new CspEvaluator(new CspParser(policy).csp, Version.CSP3).evaluate();
    const serious = findings.filter((finding) => finding.severity < severities['MEDIUM_MAYBE']!);
    assert.deepEqual(serious, []);
    // "'self' can be problematic if you host JSONP, Angular or user uploaded files": app://fileferry serves only
    // the built bundle, none of those.
    for (const finding of findings.filter((f) => f.severity === severities['MEDIUM_MAYBE']))
      assert.equal(finding.directive, 'script-src', finding.description);
    // The evaluator bites: the same check on a weak policy finds it.
    const weak = new CspEvaluator(new CspParser("script-src 'self' 'unsafe-inline'").csp, Version.CSP3).evaluate();
    assert.ok(weak.some((finding) => finding.severity < severities['MEDIUM_MAYBE']!));
  });
});

describe('the renderer protocol (app://fileferry/)', () => {
  async function withBundle(run: (handler: (request: Request) => Promise<Response>, root: string) => Promise<void>) {
    const parent = await tempDir('ferry-protocol-');
    const root = join(parent, 'renderer');
    await mkdir(join(root, 'assets'), { recursive: true });
    await writeFile(join(root, 'index.html'), '<!doctype html><title>FileFerry</title>');
    await writeFile(join(root, 'assets', 'index-1.js'), 'console.log(1)');
    await writeFile(join(parent, 'secret.txt'), 'outside the bundle');
    try {
      await run(rendererFiles({ root }), root);
    } finally {
      await removeDirs(parent);
    }
  }

  it('serves the bundle with the CSP header on every answer, found or not', async () => {
    await withBundle(async (handle) => {
      const index = await handle(new Request('app://fileferry/'));
      assert.equal(index.status, 200);
      assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.equal(await index.text(), '<!doctype html><title>FileFerry</title>');
      const script = await handle(new Request('app://fileferry/assets/index-1.js'));
      assert.equal(script.headers.get('content-type'), 'text/javascript; charset=utf-8');
      const missing = await handle(new Request('app://fileferry/assets/nope.js'));
      assert.equal(missing.status, 404);
      for (const answer of [index, script, missing]) {
        assert.equal(answer.headers.get('content-security-policy'), contentSecurityPolicy());
        assert.equal(answer.headers.get('x-content-type-options'), 'nosniff');
      }
    });
  });

  it('serves nothing outside the bundle folder and nothing for another host or method', async () => {
    await withBundle(async (handle) => {
      for (const url of [
        'app://fileferry/../secret.txt',
        'app://fileferry/%2e%2e/secret.txt',
        'app://fileferry/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
        'app://fileferry/..%5csecret.txt',
        'app://fileferry/%00index.html',
        'app://fileferry/%E0%A4%A',
        'app://other/index.html',
        'app://fileferry.evil/index.html',
      ]) {
        const answer = await handle(new Request(url));
        assert.equal(answer.status, 404, url);
        assert.doesNotMatch(await answer.text(), /outside the bundle/, url);
      }
      const post = await handle(new Request('app://fileferry/index.html', { method: 'POST', body: 'x' }));
      assert.equal(post.status, 405);
    });
  });
});

/** A webContents stand-in: records listeners and the window-open handler. */
function fakeContents() {
  const listeners = new Map<string, (event: PreventableEvent, url: string) => void>();
  let openHandler: ((details: { url: string }) => { action: 'deny' }) | undefined;
  const contents = {
    on(event: string, listener: (event: PreventableEvent, url: string) => void) {
      listeners.set(event, listener);
      return contents;
    },
    setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }) {
      openHandler = handler;
    },
  };
  return {
    contents: contents as unknown as GuardedContents,
    /** Emits an event; returns whether the listener prevented it. */
    emit(name: string, url = ''): boolean {
      let prevented = false;
      const listener = listeners.get(name);
      assert.ok(listener, `a ${name} listener`);
      listener({ preventDefault: () => void (prevented = true) }, url);
      return prevented;
    },
    open: (url: string) => openHandler!({ url }),
  };
}

describe('navigation and new windows', () => {
  it('refuses every navigation, redirect and <webview>', () => {
    const fake = fakeContents();
    const refused: string[] = [];
    hardenContents(fake.contents, { openExternal: async () => {}, onRefused: (what) => void refused.push(what) });
    assert.equal(fake.emit('will-navigate', 'https://evil.example/'), true);
    assert.equal(fake.emit('will-navigate', 'app://fileferry/index.html'), true);
    assert.equal(fake.emit('will-redirect', 'https://evil.example/'), true);
    assert.equal(fake.emit('will-attach-webview'), true);
    assert.deepEqual(refused, ['navigation', 'navigation', 'redirect', 'webview']);
  });

  it('opens no window; an https link goes to the system browser and nothing else does', async () => {
    const fake = fakeContents();
    const opened: string[] = [];
    hardenContents(fake.contents, { openExternal: async (url) => void opened.push(url) });
    for (const url of [
      'https://fileferry.example/help',
      'http://fileferry.example/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://server/share',
      'ms-msdt:/id PCWDiagnostic',
      'https://user:pw@fileferry.example/',
      'app://fileferry/index.html',
      'not a url',
    ]) {
      assert.deepEqual(fake.open(url), { action: 'deny' }, url);
    }
    assert.deepEqual(opened, ['https://fileferry.example/help']);
    assert.equal(isExternalLink('HTTPS://FILEFERRY.EXAMPLE/'), true);
  });
});

describe('permissions', () => {
  it('denies every permission request and check, and every device', () => {
    let request: ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | undefined;
    let check: ((contents: unknown, permission: string) => boolean) | undefined;
    let device: ((details: unknown) => boolean) | undefined;
    denyAllPermissions({
      setPermissionRequestHandler: (handler) => void (request = handler),
      setPermissionCheckHandler: (handler) => void (check = handler),
      setDevicePermissionHandler: (handler) => void (device = handler),
    });
    for (const permission of [
      'media',
      'notifications',
      'geolocation',
      'clipboard-read',
      'openExternal',
      'hid',
      'fullscreen',
    ]) {
      const answers: boolean[] = [];
      request!({}, permission, (granted) => void answers.push(granted));
      assert.deepEqual(answers, [false], permission);
      assert.equal(check!({}, permission), false, permission);
    }
    assert.equal(device!({ deviceType: 'usb' }), false);
  });
});

describe('the IPC sender check', () => {
  const OWN_ID = 7;
  const trusted = { isOwnContents: (id: number) => id === OWN_ID, origins: [RENDERER_ORIGIN] };
  const event = (url: string, options: { parent?: unknown; id?: number } = {}): SenderEvent => ({
    sender: { id: options.id ?? OWN_ID },
    senderFrame: { url, parent: options.parent ?? null },
  });

  it("accepts our own window's top frame showing our page", () => {
    assert.equal(isTrustedSender(event('app://fileferry/index.html'), trusted), true);
    assert.equal(isTrustedSender(event('app://fileferry/#/queue'), trusted), true);
  });

  it('rejects a foreign frame, a subframe, another web contents and a frame that is gone', () => {
    assert.equal(isTrustedSender(event('https://evil.example/'), trusted), false, 'foreign origin');
    assert.equal(isTrustedSender(event('app://fileferry.evil/index.html'), trusted), false, 'look-alike host');
    assert.equal(isTrustedSender(event('app://fileferry:8080/index.html'), trusted), false, 'another port');
    assert.equal(isTrustedSender(event('file:///tmp/index.html'), trusted), false, 'file://');
    assert.equal(isTrustedSender(event('about:blank'), trusted), false, 'about:blank');
    assert.equal(
      isTrustedSender(event('app://fileferry/index.html', { parent: { url: 'app://fileferry/' } }), trusted),
      false,
      'a subframe, even of our origin',
    );
    assert.equal(isTrustedSender(event('app://fileferry/index.html', { id: 99 }), trusted), false, 'not our window');
    assert.equal(isTrustedSender({ sender: { id: OWN_ID }, senderFrame: null }, trusted), false, 'frame gone');
  });

  it('accepts the dev server only when it is one of the trusted origins', () => {
    const dev = event('http://localhost:5173/');
    assert.equal(isTrustedSender(dev, trusted), false);
    assert.equal(isTrustedSender(dev, { ...trusted, origins: [RENDERER_ORIGIN, 'http://localhost:5173'] }), true);
  });
});

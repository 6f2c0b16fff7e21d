// The Electron shell: app lifecycle, the one hardened window, and the API carried over IPC. Thin on purpose —
// the logic lives in main/core (the service layer, main/core/api), which the CLI, the web server and the tests
// use without Electron; the hardening lives in small modules beside this one, each unit-tested with fakes.
import '../core/util/heap'; // first: keeps the young generation small (see there)
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BrowserWindow,
  Menu,
  Notification,
  app,
  dialog,
  ipcMain,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
} from 'electron';
import { DRAG_OUT_CHANNEL } from '../../shared/api/desktop';
import { createApiService } from '../core/api/service';
import { configureConnections, connectionStore } from '../core/connections';
import { installFileLog } from '../core/log/file-sink';
import { createLogger } from '../core/log/logger';
import dragIcon from '../../build/icons/64x64.png?asset';
import windowIcon from '../../build/icons/512x512.png?asset';
import { DragOut } from './drag-out';
import { denyAllPermissions, hardenContents } from './hardening';
import { broadcastEvents, registerApiHandlers } from './ipc';
import { menuTemplate } from './menu';
import { QueueWatch } from './queue-watch';
import { RENDERER_SCHEME, RENDERER_SCHEME_PRIVILEGES, rendererFiles } from './renderer-protocol';
import { isTrustedSender, type TrustedSenders } from './sender';
import { createMainWindow, trustedOrigins } from './window';
import {
  captureWindowState,
  loadWindowState,
  saveWindowState,
  windowStateFile,
  type WindowState,
} from './window-state';

const log = createLogger({ component: 'electron' });

// FILEFERRY_HOME moves the data folder for the app as for the CLI and web mode (portable installs, tests).
if (process.env['FILEFERRY_HOME']) app.setPath('userData', process.env['FILEFERRY_HOME']);

// Before 'ready': our scheme must be known as standard and secure when the first page loads.
protocol.registerSchemesAsPrivileged([RENDERER_SCHEME_PRIVILEGES]);
app.enableSandbox();

const devServerUrl = process.env['ELECTRON_RENDERER_URL'];
const origins = { isPackaged: app.isPackaged, ...(devServerUrl ? { devServerUrl } : {}) };
let mainWindow: BrowserWindow | undefined;
/** Brings the window to the front (a second launch, a notification clicked), opening one if there is none. */
let reveal: () => void = () => undefined;
const trusted: TrustedSenders = {
  isOwnContents: (id) => BrowserWindow.getAllWindows().some((window) => window.webContents.id === id),
  origins: trustedOrigins(origins),
};

// One FileFerry at a time: a second launch hands over to the first (which comes to the front) and exits, so
// two processes never fight over the queue.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => reveal());
  app.whenReady().then(start).catch(fail);
}

// Every web contents that ever exists gets the guards, ours or not (Electron's checklist, items 13–14).
app.on('web-contents-created', (_event, contents) => {
  hardenContents(contents, {
    openExternal: (url) => shell.openExternal(url), // eng-disable OPEN_EXTERNAL_JS_CHECK: https only (hardening.ts)
    onRefused: (what, detail) => log.warn(`Refused a ${what}`, { detail: detail.slice(0, 200) }),
  });
});

async function start(): Promise<void> {
  const dataDir = app.getPath('userData');
  installFileLog({ dir: join(dataDir, 'logs'), fileName: 'app.log' });
  // The core may fall back to Electron's safeStorage when no keychain answers, never to its basic_text backend.
  configureConnections({
    dataDir,
    safeStorage: {
      isEncryptionAvailable: () => safeStorage.isEncryptionAvailable(),
      getSelectedStorageBackend:
        process.platform === 'linux' ? () => safeStorage.getSelectedStorageBackend() : undefined,
      encryptString: (text) => safeStorage.encryptString(text),
      decryptString: (bytes) => safeStorage.decryptString(Buffer.from(bytes)),
    },
  });

  denyAllPermissions(session.defaultSession, (what, detail) => log.warn(`Refused a ${what}`, { detail }));
  protocol.handle(RENDERER_SCHEME, rendererFiles({ root: join(import.meta.dirname, '../renderer') }));

  // Jobs the last run left are restored paused by the engine; the queue pane offers them again.
  const service = await createApiService({
    dataDir,
    version: app.getVersion(),
    shell: 'desktop',
    connections: await connectionStore(),
  });
  registerApiHandlers({ ipcMain, service, trusted, log });
  broadcastEvents(service, () => BrowserWindow.getAllWindows().map((window) => window.webContents));
  const dragOut = new DragOut({ service, tempRoot: tmpdir() });
  ipcMain.on(DRAG_OUT_CHANNEL, (event, locations: unknown) => {
    if (!isTrustedSender(event, trusted)) return void log.warn('Refused a drag from a foreign sender');
    dragOut.prepare(locations).then(
      (files) => {
        if (files.length > 0 && !event.sender.isDestroyed())
          event.sender.startDrag({ file: files[0]!, files, icon: dragIcon });
      },
      (error: unknown) => log.warn('Could not start dragging files out', { error }),
    );
  });

  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate({
        platform: process.platform,
        appName: app.name,
        isPackaged: app.isPackaged,
        openLogFolder: () => void shell.openPath(join(dataDir, 'logs')),
        openDataFolder: () => void shell.openPath(dataDir),
      }),
    ),
  );

  const stateFile = windowStateFile(dataDir);
  const windows = new WindowKeeper(stateFile);
  const openWindow = async () => {
    const state = await loadWindowState(
      stateFile,
      screen.getAllDisplays().map((display) => display.workArea),
    );
    mainWindow = windows.track(
      createMainWindow(BrowserWindow, {
        preload: join(import.meta.dirname, '../preload/index.cjs'),
        icon: windowIcon,
        ...origins,
        ...(state ? { state } : {}),
        onLoadError: (error) => log.error('The window could not load its page', { error }),
      }),
    );
  };
  await openWindow();
  const alive = () => (mainWindow && !mainWindow.isDestroyed() ? mainWindow : undefined);
  reveal = () => {
    const window = alive();
    if (!window) return void openWindow();
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  };

  const queue = new QueueWatch({
    setProgress: (progress) => {
      const window = alive();
      // Below 0 removes the bar; above 1 makes it indeterminate (where the platform can show that).
      if (progress === null) window?.setProgressBar(-1);
      else if (progress === 'indeterminate') window?.setProgressBar(2, { mode: 'indeterminate' });
      else window?.setProgressBar(progress);
    },
    notify: ({ title, body }) => {
      if (!Notification.isSupported()) return;
      const notice = new Notification({ title, body });
      notice.on('click', () => reveal());
      notice.show();
    },
    isWindowFocused: () => alive()?.isFocused() ?? false,
  });
  service.on((kind, payload) => {
    if (kind === 'transfer') queue.handle(payload as Parameters<QueueWatch['handle']>[0]);
  });

  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) void openWindow();
  });
  onQuit(async () => {
    await Promise.all([windows.saveOpen(), service.close(), dragOut.cleanup()]);
  });
}

/**
 * Remembers the window's bounds as it moves (a minimised window's bounds are not where it should reopen) and
 * saves them when it closes, or when the app quits with it still open (quitting holds until that is written).
 */
class WindowKeeper {
  private pending: Promise<void> = Promise.resolve();
  private readonly open = new Map<BrowserWindow, () => WindowState | undefined>();

  constructor(private readonly file: string) {}

  track(window: BrowserWindow): BrowserWindow {
    let last: WindowState | undefined;
    const remember = () => {
      if (!window.isDestroyed() && !window.isMinimized()) last = captureWindowState(window);
      return last;
    };
    window.on('resize', remember);
    window.on('move', remember);
    window.on('maximize', remember);
    window.on('unmaximize', remember);
    window.on('close', () => {
      this.open.delete(window);
      const state = remember();
      if (state) this.save(state);
    });
    this.open.set(window, remember);
    return window;
  }

  /** Saves the state of the windows still open; resolves once every save so far has reached the disk. */
  saveOpen(): Promise<void> {
    for (const remember of this.open.values()) {
      const state = remember();
      if (state) this.save(state);
    }
    return this.pending;
  }

  private save(state: WindowState): void {
    this.pending = this.pending
      .then(() => saveWindowState(this.file, state))
      .catch((error: unknown) => log.warn('Could not save the window position', { error }));
  }
}

/**
 * Runs `finish` once before the app quits (the queue's jobs paused and saved, temporaries removed): the first
 * quit is held until it resolves, then the app quits for real.
 */
function onQuit(finish: () => Promise<void>): void {
  let state: 'running' | 'finishing' | 'done' = 'running';
  app.on('before-quit', (event) => {
    if (state === 'done') return;
    event.preventDefault();
    if (state === 'finishing') return;
    state = 'finishing';
    finish()
      .catch((error: unknown) => log.error('Could not close cleanly', { error }))
      .finally(() => {
        state = 'done';
        app.quit();
      });
  });
}

function fail(error: unknown): void {
  log.error('FileFerry could not start', { error });
  const message = error instanceof Error ? error.message : String(error);
  dialog.showErrorBox('FileFerry could not start', message);
  app.exit(1);
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

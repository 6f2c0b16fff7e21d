// The Electron shell: app lifecycle and one hardened window. Thin on purpose — the logic lives in main/core,
// which the CLI, the web server and the tests use without Electron.
import '../core/util/heap'; // first: keeps the young generation small (see there)
import { join } from 'node:path';
import { app, BrowserWindow, ipcMain, safeStorage, shell } from 'electron';
import { API_CHANNELS, API_VERSION, type VersionInfo } from '../../shared/api';
import { configureConnections } from '../core/connections';
import { installFileLog } from '../core/log/file-sink';

// FILEFERRY_HOME moves the data folder for the app as for the CLI and web mode (portable installs, tests).
if (process.env['FILEFERRY_HOME']) app.setPath('userData', process.env['FILEFERRY_HOME']);

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1200,
    height: 800,
    title: 'FileFerry',
    show: false,
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  window.once('ready-to-show', () => window.show());

  // The renderer never navigates away or opens windows; external links go to the system browser.
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  window.webContents.on('will-navigate', (event) => event.preventDefault());

  const devServer = process.env['ELECTRON_RENDERER_URL'];
  if (!app.isPackaged && devServer) void window.loadURL(devServer);
  else void window.loadFile(join(import.meta.dirname, '../renderer/index.html'));
  return window;
}

/** Answers only our own top-level frame: a frame from anywhere else gets nothing. */
function fromOwnFrame(event: Electron.IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url ?? '';
  return url.startsWith('file://') || (!app.isPackaged && url.startsWith(process.env['ELECTRON_RENDERER_URL'] ?? '\0'));
}

function registerApi(): void {
  ipcMain.handle(API_CHANNELS.version, (event): VersionInfo => {
    if (!fromOwnFrame(event)) throw new Error('Refused: unknown sender');
    return { app: app.getVersion(), api: API_VERSION };
  });
}

app.enableSandbox();
void app.whenReady().then(() => {
  installFileLog({ dir: join(app.getPath('userData'), 'logs'), fileName: 'app.log' });
  // The core may fall back to Electron's safeStorage when no keychain answers, never to its basic_text backend.
  configureConnections({
    dataDir: app.getPath('userData'),
    safeStorage: {
      isEncryptionAvailable: () => safeStorage.isEncryptionAvailable(),
      getSelectedStorageBackend:
        process.platform === 'linux' ? () => safeStorage.getSelectedStorageBackend() : undefined,
      encryptString: (text) => safeStorage.encryptString(text),
      decryptString: (bytes) => safeStorage.decryptString(Buffer.from(bytes)),
    },
  });
  registerApi();
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

// The one application window: its hardened webPreferences and what it loads. Electron's classes come in as
// parameters (only their types are imported), so the unit tests build windows from fakes without a binary.
import type { BrowserWindowConstructorOptions } from 'electron';
import { RENDERER_ENTRY, RENDERER_ORIGIN } from './renderer-protocol';
import type { WindowState } from './window-state';

/** The few BrowserWindow members the factory uses. */
export interface WindowLike {
  loadURL(url: string): Promise<void>;
  maximize(): void;
  show(): void;
  once(event: 'ready-to-show', listener: () => void): unknown;
}

export type WindowConstructor<W extends WindowLike> = new (options: BrowserWindowConstructorOptions) => W;

export interface MainWindowOptions {
  /** The built preload script (out/preload/index.cjs). */
  preload: string;
  /** app.isPackaged: a packaged app never loads a development server and has no DevTools. */
  isPackaged: boolean;
  /** electron-vite's dev server (ELECTRON_RENDERER_URL), honoured only when not packaged. */
  devServerUrl?: string;
  /** Where the window was last (window-state.ts), already checked against the screens. */
  state?: WindowState;
  /** The window icon (Linux and Windows; macOS takes the bundle's). */
  icon?: string;
}

/**
 * The page to load: the bundle through app://fileferry/, or electron-vite's dev server on loopback when running
 * unpackaged from a checkout. A packaged build never loads a remote URL, whatever the environment says.
 */
export function rendererUrl(options: Pick<MainWindowOptions, 'isPackaged' | 'devServerUrl'>): string {
  const dev = options.isPackaged ? undefined : devServerOrigin(options.devServerUrl);
  return dev ? options.devServerUrl! : RENDERER_ENTRY;
}

/** The origins whose top frame may call the API: our own, and the dev server's when unpackaged. */
export function trustedOrigins(options: Pick<MainWindowOptions, 'isPackaged' | 'devServerUrl'>): string[] {
  const dev = options.isPackaged ? undefined : devServerOrigin(options.devServerUrl);
  return dev ? [RENDERER_ORIGIN, dev] : [RENDERER_ORIGIN];
}

/** The dev server's origin when it is an http URL on this machine's loopback, else undefined. */
function devServerOrigin(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname);
    return parsed.protocol === 'http:' && loopback ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Creates the window hidden and shows it once its first frame is ready, maximised if it was (maximize() shows
 * a hidden window, so it waits for that moment too). A page that fails to load is reported to `onLoadError`.
 *
 * The webPreferences follow Electron's security checklist item by item, written out literally here so that
 * electronegativity (test/electron) checks the values themselves: the page gets no Node, runs sandboxed in its
 * own JavaScript world, keeps the same-origin policy, loads no insecure content, has no <webview>, no
 * experimental features, and a dropped file never navigates the window away. Middle-click (auxclick) is off
 * so it cannot open windows. A packaged app has no DevTools.
 */
export function createMainWindow<W extends WindowLike>(
  BrowserWindow: WindowConstructor<W>,
  options: MainWindowOptions & { onLoadError?: (error: unknown) => void },
): W {
  const state = options.state;
  const window = new BrowserWindow({
    width: state?.width ?? 1200,
    height: state?.height ?? 800,
    ...(state?.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
    minWidth: 640,
    minHeight: 400,
    title: 'FileFerry',
    show: false,
    ...(options.icon ? { icon: options.icon } : {}),
    webPreferences: {
      preload: options.preload, // eng-disable PRELOAD_JS_CHECK: ours, exposing only DesktopBridge (preload/bridge.ts)
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      disableBlinkFeatures: 'Auxclick',
      devTools: !options.isPackaged,
    },
  });
  window.once('ready-to-show', () => (state?.maximized ? window.maximize() : window.show()));
  window.loadURL(rendererUrl(options)).catch((error: unknown) => options.onLoadError?.(error));
  return window;
}

// The guards every web contents gets (app 'web-contents-created' applies them to each one, ours or not) and
// the session's permission handlers. FileFerry's page never navigates, never opens a window and needs no
// browser permission: a page that tries is either a bug or an attack, and both get "no". Electron's objects
// come in as parameters so the unit tests drive these handlers with fakes.

/** What a navigation event listener may do with its event. */
export interface PreventableEvent {
  preventDefault(): void;
}

/** The webContents members the guards use. */
export interface GuardedContents {
  on(event: 'will-navigate', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'will-redirect', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/** The session members the permission guards use. */
export interface GuardedSession {
  setPermissionRequestHandler(
    handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void,
  ): void;
  setPermissionCheckHandler(handler: (contents: unknown, permission: string) => boolean): void;
  setDevicePermissionHandler(handler: (details: unknown) => boolean): void;
}

export interface HardeningOptions {
  /** shell.openExternal: the system browser. */
  openExternal(url: string): Promise<void>;
  /** Told about each refusal (the app logs them: a refused navigation is worth knowing about). */
  onRefused?(what: string, detail: string): void;
}

/** Whether a URL may go to the system browser: https only (no file:, no custom schemes that run programs). */
export function isExternalLink(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && parsed.username === '' && parsed.password === '';
  } catch {
    return false;
  }
}

/** The window.open / target=_blank answer: never a new window; an https link opens in the system browser. */
export function windowOpenHandler(options: HardeningOptions): (details: { url: string }) => { action: 'deny' } {
  return ({ url }) => {
    if (isExternalLink(url)) {
      const opened = options.openExternal(url); // eng-disable OPEN_EXTERNAL_JS_CHECK: https only, checked above
      opened.catch((error: unknown) => options.onRefused?.('openExternal', String(error)));
    } else {
      options.onRefused?.('window.open', url);
    }
    return { action: 'deny' };
  };
}

/** Applies every guard to one web contents. */
export function hardenContents(contents: GuardedContents, options: HardeningOptions): void {
  const refuse = (what: string) => (event: PreventableEvent, url?: string) => {
    event.preventDefault();
    options.onRefused?.(what, url ?? '');
  };
  contents.on('will-navigate', refuse('navigation'));
  contents.on('will-redirect', refuse('redirect'));
  contents.on('will-attach-webview', refuse('webview'));
  contents.setWindowOpenHandler(windowOpenHandler(options));
}

/**
 * Denies every permission a page can ask for (camera, microphone, notifications from web content, geolocation,
 * clipboard reads, HID/USB/serial devices, …) and answers "not granted" to every check. The app's own OS
 * notifications come from the main process and need none of these.
 */
export function denyAllPermissions(session: GuardedSession, onRefused?: HardeningOptions['onRefused']): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    onRefused?.('permission', permission);
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}

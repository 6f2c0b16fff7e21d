// The application menu: Electron's roles give each item its platform's label, shortcut and behaviour (Cut is
// Ctrl+X on Linux and Windows, ⌘X on macOS, and works in any text field), so nothing here handles keys itself.
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuOptions {
  platform: NodeJS.Platform;
  appName: string;
  /** Unpackaged runs get Reload and the developer tools; a packaged app has neither. */
  isPackaged: boolean;
  /** Opens the folder holding FileFerry's logs (Help menu). */
  openLogFolder(): void;
  /** Opens the data folder (queue, settings, connections without secrets). */
  openDataFolder(): void;
}

export function menuTemplate(options: MenuOptions): MenuItemConstructorOptions[] {
  const mac = options.platform === 'darwin';
  // "&File": Alt+F opens it on Linux and Windows; macOS menus have no mnemonics.
  const title = (name: string) => (mac ? name : `&${name}`);
  const appMenu: MenuItemConstructorOptions = {
    label: options.appName,
    submenu: [
      { role: 'about' },
      { type: 'separator' },
      { role: 'services' },
      { type: 'separator' },
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      { type: 'separator' },
      { role: 'quit' },
    ],
  };
  const file: MenuItemConstructorOptions = {
    label: title('File'),
    submenu: [mac ? { role: 'close' } : { role: 'quit' }],
  };
  const edit: MenuItemConstructorOptions = {
    label: title('Edit'),
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'delete' },
      { type: 'separator' },
      { role: 'selectAll' },
    ],
  };
  const development: MenuItemConstructorOptions[] = options.isPackaged
    ? []
    : [{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { type: 'separator' }];
  const view: MenuItemConstructorOptions = {
    label: title('View'),
    submenu: [
      ...development,
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };
  const window: MenuItemConstructorOptions = {
    label: title('Window'),
    role: 'windowMenu',
    submenu: mac
      ? [{ role: 'minimize' }, { role: 'zoom' }, { type: 'separator' }, { role: 'front' }]
      : [{ role: 'minimize' }, { role: 'close' }],
  };
  const help: MenuItemConstructorOptions = {
    label: title('Help'),
    role: 'help',
    submenu: [
      { label: 'Open the Log Folder', click: () => options.openLogFolder() },
      { label: 'Open the Data Folder', click: () => options.openDataFolder() },
      ...(mac ? [] : [{ type: 'separator' as const }, { role: 'about' as const }]),
    ],
  };
  return [...(mac ? [appMenu] : []), file, edit, view, window, help];
}

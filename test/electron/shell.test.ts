// The desktop shell's own logic, without Electron: the remembered window position (a real file in a temporary
// data folder), the taskbar progress and OS notifications driven by transfer events, and the menu template.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import type { MenuItemConstructorOptions } from 'electron';
import type { JobSnapshot, JobState, TransferEvent } from '../../shared/transfers';
import { menuTemplate } from '../../main/electron/menu';
import { QueueWatch, type TaskbarProgress } from '../../main/electron/queue-watch';
import {
  captureWindowState,
  fitToScreens,
  loadWindowState,
  saveWindowState,
  windowStateFile,
} from '../../main/electron/window-state';
import { removeDirs, tempDir } from '../transfers/fixtures';

const SCREEN = { x: 0, y: 0, width: 1920, height: 1040 };

describe('the remembered window state', () => {
  const dirs: string[] = [];
  after(() => removeDirs(...dirs));

  it('saves the normal bounds and maximised state, and reads them back', async () => {
    const dir = await tempDir('ferry-window-');
    dirs.push(dir);
    const file = windowStateFile(dir);
    const state = captureWindowState({
      getNormalBounds: () => ({ x: 100.4, y: 80, width: 1300, height: 850 }),
      isMaximized: () => true,
    });
    await saveWindowState(file, state);
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), {
      x: 100,
      y: 80,
      width: 1300,
      height: 850,
      maximized: true,
    });
    assert.deepEqual(await loadWindowState(file, [SCREEN]), state);
  });

  it('ignores a missing, damaged or foreign file', async () => {
    const dir = await tempDir('ferry-window-');
    dirs.push(dir);
    const file = windowStateFile(dir);
    assert.equal(await loadWindowState(file, [SCREEN]), undefined, 'missing');
    for (const text of [
      '{not json',
      '[]',
      '{"width":"1300","height":850,"maximized":false}',
      '{"width":50,"height":20,"maximized":false}',
      '{"width":1e9,"height":850,"maximized":false}',
      '{"width":1300,"height":850,"maximized":false,"preload":"/tmp/evil.js"}',
    ]) {
      await writeFile(file, text);
      assert.equal(await loadWindowState(file, [SCREEN]), undefined, text);
    }
  });

  it('drops a position no screen shows any more and shrinks a window larger than its screen', () => {
    const offScreen = fitToScreens({ x: 3000, y: 200, width: 1200, height: 800, maximized: false }, [SCREEN]);
    assert.deepEqual(offScreen, { width: 1200, height: 800, maximized: false });
    const barelyVisible = fitToScreens({ x: 1900, y: 200, width: 1200, height: 800, maximized: false }, [SCREEN]);
    assert.equal(barelyVisible.x, undefined, 'only 20 px of it would show');
    const second = { x: 1920, y: 0, width: 1280, height: 1000 };
    const onSecond = fitToScreens({ x: 2000, y: 100, width: 1200, height: 800, maximized: false }, [SCREEN, second]);
    assert.deepEqual(onSecond, { x: 2000, y: 100, width: 1200, height: 800, maximized: false });
    const huge = fitToScreens({ x: 0, y: 0, width: 5000, height: 3000, maximized: false }, [SCREEN]);
    assert.deepEqual([huge.width, huge.height], [1920, 1040]);
  });
});

function job(id: string, state: JobState, bytesDone = 0, bytesTotal?: number, error?: string): TransferEvent {
  const snapshot: JobSnapshot = {
    id,
    request: {
      source: { connection: { spec: { kind: 'local' } }, path: '/a' },
      target: { connection: { spec: { kind: 'local' } }, path: '/b' },
    },
    state,
    progress: { bytesDone, rate: 0, ...(bytesTotal !== undefined ? { bytesTotal } : {}) },
    filesTotal: 1,
    filesDone: 0,
    filesFailed: 0,
    filesSkipped: 0,
    createdAt: 0,
    ...(error ? { error: { code: 'Network', message: error } } : {}),
  };
  return { type: 'job', job: snapshot };
}

function progress(jobId: string, bytesDone: number, bytesTotal?: number): TransferEvent {
  return {
    type: 'progress',
    jobId,
    progress: { bytesDone, rate: 1, ...(bytesTotal !== undefined ? { bytesTotal } : {}) },
    filesTotal: 1,
    filesDone: 0,
    filesFailed: 0,
    filesSkipped: 0,
  };
}

function watch(focused: boolean) {
  const bars: TaskbarProgress[] = [];
  const notices: Array<{ title: string; body: string }> = [];
  const queue = new QueueWatch({
    setProgress: (value) => void bars.push(value),
    notify: (notice) => void notices.push(notice),
    isWindowFocused: () => focused,
  });
  return { queue, bars, notices };
}

describe('the taskbar progress and notifications', () => {
  it('shows the share of bytes done across running jobs, and removes the bar when they end', () => {
    const { queue, bars } = watch(true);
    queue.handle(job('a', 'running', 0, 1000));
    queue.handle(job('b', 'queued', 0, 3000));
    queue.handle(progress('a', 500, 1000));
    queue.handle(progress('a', 500, 1000)); // no change, no call
    queue.handle(progress('a', 1000, 1000));
    queue.handle(job('a', 'completed', 1000, 1000));
    queue.handle(job('b', 'running', 0, 3000));
    queue.handle(progress('b', 3000, 3000));
    queue.handle(job('b', 'completed', 3000, 3000));
    assert.deepEqual(bars, [0, 0.13, 0.25, 0, 1, null]);
  });

  it('is indeterminate while a job does not know its total yet (a folder being walked)', () => {
    const { queue, bars } = watch(true);
    queue.handle(job('a', 'running', 10));
    queue.handle(progress('a', 10, 100));
    queue.handle(job('a', 'paused', 10, 100));
    assert.deepEqual(bars, ['indeterminate', 0.1, null]);
  });

  it('tells the OS when the queue finishes or a transfer fails, only while the window is not focused', () => {
    const away = watch(false);
    away.queue.handle(job('a', 'running', 0, 10));
    away.queue.handle(job('b', 'running', 0, 10));
    away.queue.handle(job('a', 'completed', 10, 10));
    assert.deepEqual(away.notices, [], 'b still runs');
    away.queue.handle(job('b', 'completed', 10, 10));
    away.queue.handle(job('c', 'running', 0, 10));
    away.queue.handle(job('c', 'failed', 0, 10, 'ftp://host/x: the connection was reset'));
    assert.deepEqual(away.notices, [
      { title: 'Transfers finished', body: '2 transfers are complete.' },
      { title: 'A transfer failed', body: 'ftp://host/x: the connection was reset' },
    ]);

    const here = watch(true);
    here.queue.handle(job('a', 'running', 0, 10));
    here.queue.handle(job('a', 'failed', 0, 10, 'boom'));
    here.queue.handle(job('b', 'running', 0, 10));
    here.queue.handle(job('b', 'completed', 10, 10));
    assert.deepEqual(here.notices, []);
  });
});

describe('the application menu', () => {
  const options = { appName: 'FileFerry', openLogFolder: () => {}, openDataFolder: () => {} };
  const roles = (items: MenuItemConstructorOptions[]): string[] =>
    items.flatMap((item) => [
      ...(item.role ? [String(item.role)] : []),
      ...(Array.isArray(item.submenu) ? roles(item.submenu) : []),
    ]);
  const labels = (items: MenuItemConstructorOptions[]) => items.map((item) => item.label?.replace('&', ''));

  it('has File, Edit, View, Window and Help with the usual roles (their shortcuts come with them)', () => {
    const menu = menuTemplate({ ...options, platform: 'linux', isPackaged: true });
    assert.deepEqual(labels(menu), ['File', 'Edit', 'View', 'Window', 'Help']);
    const all = roles(menu);
    for (const role of [
      'quit',
      'undo',
      'redo',
      'cut',
      'copy',
      'paste',
      'selectAll',
      'zoomIn',
      'zoomOut',
      'resetZoom',
      'togglefullscreen',
      'minimize',
      'close',
      'about',
    ])
      assert.ok(all.includes(role), role);
    assert.ok(!all.includes('toggleDevTools') && !all.includes('reload'), 'no DevTools or reload when packaged');
    assert.ok(roles(menuTemplate({ ...options, platform: 'linux', isPackaged: false })).includes('toggleDevTools'));
  });

  it('starts with the application menu on macOS', () => {
    const menu = menuTemplate({ ...options, platform: 'darwin', isPackaged: true });
    assert.deepEqual(labels(menu), ['FileFerry', 'File', 'Edit', 'View', 'Window', 'Help']);
    assert.ok(roles(menu).includes('hideOthers') && roles(menu).includes('front'));
  });
});

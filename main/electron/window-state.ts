// The window's size, position and maximised state, remembered between runs in window-state.json in the data
// folder. The file is read as untrusted input (validated, anything odd ignored), and a position is only used
// when the window would still be visible: a screen unplugged since the last run must not leave it off-screen.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../core/connections/atomic-file';

export const WINDOW_STATE_FILE = 'window-state.json';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

const MIN_WIDTH = 640;
const MIN_HEIGHT = 400;
/** How much of the window must fall on a screen for its saved position to be used. */
const MIN_VISIBLE = 100;

const stateSchema = z.strictObject({
  x: z.number().int().min(-100_000).max(100_000).optional(),
  y: z.number().int().min(-100_000).max(100_000).optional(),
  width: z.number().int().min(MIN_WIDTH).max(100_000),
  height: z.number().int().min(MIN_HEIGHT).max(100_000),
  maximized: z.boolean(),
});

export type WindowState = z.infer<typeof stateSchema>;

export function windowStateFile(dataDir: string): string {
  return join(dataDir, WINDOW_STATE_FILE);
}

/**
 * The saved state fitted to today's screens (their work areas), or undefined when there is none or the file
 * is not one we wrote (the window then opens at its default size, centred).
 */
export async function loadWindowState(file: string, screens: readonly Rect[]): Promise<WindowState | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
  const result = stateSchema.safeParse(parsed);
  return result.success ? fitToScreens(result.data, screens) : undefined;
}

/** Keeps the position only where enough of the window shows on some screen; never larger than that screen. */
export function fitToScreens(state: WindowState, screens: readonly Rect[]): WindowState {
  if (state.x === undefined || state.y === undefined) return withoutPosition(state, screens[0]);
  const window: Rect = { x: state.x, y: state.y, width: state.width, height: state.height };
  const screen = screens.find((area) => overlap(area, window) >= MIN_VISIBLE);
  if (!screen) return withoutPosition(state, screens[0]);
  return {
    ...state,
    width: Math.max(MIN_WIDTH, Math.min(state.width, screen.width)),
    height: Math.max(MIN_HEIGHT, Math.min(state.height, screen.height)),
  };
}

function withoutPosition(state: WindowState, screen: Rect | undefined): WindowState {
  const { width, height, maximized } = state;
  if (!screen) return { width, height, maximized };
  return {
    width: Math.max(MIN_WIDTH, Math.min(width, screen.width)),
    height: Math.max(MIN_HEIGHT, Math.min(height, screen.height)),
    maximized,
  };
}

/** The smaller of the horizontal and vertical overlaps: how much of the window shows both ways. */
function overlap(a: Rect, b: Rect): number {
  const horizontal = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const vertical = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return Math.min(horizontal, vertical);
}

/** The state to save: the bounds the window has when not maximised, and whether it is. */
export function captureWindowState(window: { getNormalBounds(): Rect; isMaximized(): boolean }): WindowState {
  const bounds = window.getNormalBounds();
  return {
    x: Math.round(bounds.x),
    y: Math.round(bounds.y),
    width: Math.max(MIN_WIDTH, Math.round(bounds.width)),
    height: Math.max(MIN_HEIGHT, Math.round(bounds.height)),
    maximized: window.isMaximized(),
  };
}

export async function saveWindowState(file: string, state: WindowState): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(state, null, 2)}\n`);
}

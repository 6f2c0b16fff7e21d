// What the connection-manager tests add to the UI harness (harness.ts): the manager dialog found by its name,
// the saved connections read from the data folder the app writes (connections.json, the real outcome), and a
// folder for the screenshots a run keeps.
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Locator } from 'playwright-core';
import type { SavedConnection } from '../../shared/connections';
import type { AppPage } from './harness';

const ROOT = resolve(import.meta.dirname, '../..');

/** Where a run keeps its screenshots (ignored by git; docs/screenshots gets the chosen one). */
export const TEST_OUTPUT = join(ROOT, '.tmp', 'test-output', 'ui');

export async function screenshotPath(name: string): Promise<string> {
  await mkdir(TEST_OUTPUT, { recursive: true });
  return join(TEST_OUTPUT, name);
}

/** The connection manager, opened from the toolbar's Connections button. */
export async function openManager(ui: AppPage): Promise<Locator> {
  await ui.page.getByRole('toolbar', { name: 'FileFerry' }).getByRole('button', { name: 'Connections' }).click();
  const dialog = ui.page.getByRole('dialog', { name: 'Connections' });
  await dialog.waitFor();
  return dialog;
}

export async function closeManager(ui: AppPage): Promise<void> {
  const dialog = ui.page.getByRole('dialog', { name: 'Connections' });
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'detached' });
}

/** The connections the app saved (FILEFERRY_HOME/connections.json), and the file's text. */
export async function savedConnections(home: string): Promise<{ connections: SavedConnection[]; text: string }> {
  const text = await readFile(join(home, 'connections.json'), 'utf8').catch(() => '{"connections":[]}');
  return { connections: (JSON.parse(text) as { connections: SavedConnection[] }).connections, text };
}

/** A saved connection by name; fails the test when it is not there. */
export async function savedConnection(home: string, name: string): Promise<SavedConnection> {
  const found = (await savedConnections(home)).connections.find((c) => c.name === name);
  if (!found) throw new Error(`connections.json has no connection named ${name}`);
  return found;
}

/** Opens a saved connection in a pane through the pane's Connection menu; waits until it is listed. */
export async function openInPane(ui: AppPage, side: 'left' | 'right', name: string): Promise<void> {
  await ui.pane(side).getByRole('button', { name: 'Connection' }).click();
  // The item reads "NAME ADDRESS" (its kind badge is hidden from screen readers): find it by its name part.
  await ui.page
    .getByRole('menuitem')
    .filter({ has: ui.page.getByText(name, { exact: true }) })
    .click();
  await ui.pane(side).getByRole('button', { name: 'Connection' }).filter({ hasText: name }).waitFor();
  await ui.pane(side).locator('.pane-footer').filter({ hasNotText: 'Listing' }).filter({ hasText: 'item' }).waitFor();
}

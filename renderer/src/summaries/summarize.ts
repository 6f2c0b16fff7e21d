// Summarize, from the file menu or the keyboard: one file (not a folder) of a pane, while summaries are on.
// Ctrl+I (Cmd+I on macOS, where it is Finder's "Get Info") on a file row summarises the focused file; the grid
// leaves the key alone (its type-ahead ignores keys with Ctrl/Cmd held).
import { useEffect } from 'react';
import type { Settings } from '../../../shared/api';
import { addressOf } from '../../../shared/locations';
import { joinPath } from '../../../shared/paths';
import type { Entry } from '../../../shared/provider';
import type { Workspace } from '../app/workspace';
import type { Side } from '../panes/pane-store';
import { settingsStore } from '../settings/settings-store';
import { summaryStore } from './summary-store';

const isMac = typeof navigator !== 'undefined' && /Mac/.test(navigator.platform);

/** The menu's hint and the aria-keyshortcuts value. */
export const SUMMARIZE_KEY = isMac ? { hint: '⌘I', aria: 'Meta+I' } : { hint: 'Ctrl+I', aria: 'Control+I' };

/** Whether Summarize applies to these entries: exactly one file, with summaries turned on. */
export function canSummarize(entries: readonly Entry[], settings: Settings): boolean {
  return settings.summaries.enabled && entries.length === 1 && entries[0]!.type === 'file';
}

/** Opens the summary panel on a file of a pane. */
export function summarizeEntry(workspace: Pick<Workspace, 'api' | 'panes'>, side: Side, entry: Entry): void {
  const location = workspace.panes[side].getState().location;
  if (!location || entry.type !== 'file') return;
  const path = joinPath(location.path, entry.name);
  summaryStore.getState().summarize(workspace.api, {
    location: { connection: location.connection, path },
    name: entry.name,
    address: addressOf(location.spec, path),
  });
}

/** Ctrl+I / Cmd+I in a pane's file list summarises the focused file. */
export function useSummarizeKey(workspace: Pick<Workspace, 'api' | 'panes'>): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const mod = isMac ? event.metaKey && !event.ctrlKey : event.ctrlKey && !event.metaKey;
      if (!mod || event.altKey || event.shiftKey || event.key.toLowerCase() !== 'i') return;
      const grid = (event.target as HTMLElement | null)?.closest?.('[role="grid"]');
      const side = grid?.closest('[data-pane]')?.getAttribute('data-pane');
      if (side !== 'left' && side !== 'right') return;
      const pane = workspace.panes[side].getState();
      const entry = pane.entries.find((candidate) => candidate.name === pane.focused);
      event.preventDefault();
      if (entry && canSummarize([entry], settingsStore.getState().settings)) summarizeEntry(workspace, side, entry);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [workspace]);
}

// The window: a toolbar, two panes side by side with a splitter between them, the transfer queue below (its
// height and the panes' split remembered), a status bar. It owns the API client's subscriptions and hands the
// workspace (what happens between panes) down by context; components render the stores.
import clsx from 'clsx';
import { History, Moon, Plug, Settings2, Sun, Ship } from 'lucide-react';
import { useEffect, useMemo, useState } from 'react';
import { Group, Panel, Separator } from 'react-resizable-panels';
import { useStore } from 'zustand';
import type { FileFerryApi, Settings } from '../../shared/api';
import { Dialogs } from './app/Dialogs';
import { SignInDialog } from './app/SignInDialog';
import { Toasts } from './app/Toasts';
import { uiStore } from './app/ui-store';
import { createWorkspace, WorkspaceProvider, type Workspace } from './app/workspace';
import { connectionsStore } from './connections/connections-store';
import { openHistory } from './history/HistoryDialog';
import { FileKindMasks } from './panes/FileIcon';
import { Pane } from './panes/Pane';
import { createPaneStore, type Side } from './panes/pane-store';
import { QueuePanel } from './queue/QueuePanel';
import { queueStore } from './queue/queue-store';
import { settingsStore } from './settings/settings-store';
import { useSummarizeKey } from './summaries/summarize';
import { SummaryPanel } from './summaries/SummaryPanel';
import { summaryStore } from './summaries/summary-store';
import { StatusBar } from './app/StatusBar';

export function App({ api }: { api: FileFerryApi }): React.JSX.Element {
  const panes = useMemo(() => ({ left: createPaneStore('left', api), right: createPaneStore('right', api) }), [api]);
  const actions = useMemo(() => createWorkspace(api, panes, () => settingsStore.getState().settings), [api, panes]);
  const settings = useStore(settingsStore, (state) => state.settings);
  const active = useStore(uiStore, (state) => state.active);
  const summaryOpen = useStore(summaryStore, (state) => state.file !== undefined);
  const [queueCollapsed, setQueueCollapsed] = useState(settings.layout.queueCollapsed);

  useEffect(() => {
    const offs = [
      api.on('listing', (page) => {
        panes.left.getState().receive(page);
        panes.right.getState().receive(page);
      }),
      api.on('transfer', (event) => queueStore.getState().receive(event)),
      api.on('settings', (next) => settingsStore.getState().set(next)),
      api.on('summary', (delta) => summaryStore.getState().receive(delta)),
    ];
    void (async () => {
      const [current, jobs] = await Promise.all([api.settings.get(), api.transfers.list()]);
      settingsStore.getState().set(current);
      queueStore.getState().load(jobs);
      await connectionsStore.getState().reload(api);
      for (const side of ['left', 'right'] as Side[]) panes[side].getState().setShowHidden(current.showHidden);
      await actions.openLocal('left');
      await actions.openLocal('right');
      actions.focusPane('left');
    })().catch((error: unknown) =>
      uiStore.getState().toast('error', error instanceof Error ? error.message : String(error)),
    );
    return () => offs.forEach((off) => off());
  }, [api, panes, actions]);

  useTheme(settings);
  useGlobalKeys();
  useSummarizeKey(actions);

  const workspace: Workspace = useMemo(
    () => ({ ...actions, rowHeight: settings.compactRows ? 22 : 26, settings }),
    [actions, settings],
  );

  const saveLayout = (patch: Partial<Settings['layout']>) => {
    const layout = { ...settingsStore.getState().settings.layout, ...patch };
    void api.settings.set({ layout }).catch(() => undefined);
  };

  return (
    <WorkspaceProvider value={workspace}>
      <div className="app">
        <FileKindMasks />
        <header className="toolbar" role="toolbar" aria-label="FileFerry">
          <span className="brand">
            <Ship size={16} aria-hidden /> FileFerry
          </span>
          <button type="button" onClick={() => actions.manageConnections()}>
            <Plug size={14} aria-hidden /> Connections
          </button>
          <button type="button" onClick={openHistory} aria-keyshortcuts="Control+H" title="Transfer history (Ctrl+H)">
            <History size={14} aria-hidden /> History
          </button>
          <span className="toolbar-hint">
            F5 copy · F6 move · F7 new folder · F2 rename · Del delete · Tab switch pane
          </span>
          <div className="toolbar-end">
            <button
              type="button"
              className="icon-button"
              aria-label={settings.theme === 'dark' ? 'Use the light theme' : 'Use the dark theme'}
              onClick={() => void api.settings.set({ theme: settings.theme === 'dark' ? 'light' : 'dark' })}
            >
              {settings.theme === 'dark' ? <Sun size={15} /> : <Moon size={15} />}
            </button>
            <button
              type="button"
              className="icon-button"
              aria-label="Settings"
              onClick={() => uiStore.getState().open({ kind: 'settings' })}
            >
              <Settings2 size={15} />
            </button>
          </div>
        </header>
        <Group
          orientation="vertical"
          className="workspace"
          defaultLayout={{
            panes: 100 - (queueCollapsed ? 6 : settings.layout.queue * 100),
            queue: queueCollapsed ? 6 : settings.layout.queue * 100,
          }}
          onLayoutChanged={(layout) => {
            const queue = layout.queue;
            if (queue !== undefined && !queueCollapsed)
              saveLayout({ queue: Math.min(0.9, Math.max(0.05, queue / 100)) });
          }}
        >
          <Panel id="panes" minSize="25">
            <Group
              orientation="horizontal"
              className="panes"
              defaultLayout={{ left: settings.layout.panes * 100, right: 100 - settings.layout.panes * 100 }}
              onLayoutChanged={(layout) => {
                // The panes' split, without the summary panel's share when it is open.
                const { left, right } = layout;
                if (left !== undefined && right !== undefined)
                  saveLayout({ panes: Math.min(0.9, Math.max(0.1, left / (left + right))) });
              }}
            >
              <Panel id="left" minSize="20">
                <Pane side="left" store={panes.left} active={active === 'left'} />
              </Panel>
              <Separator className="splitter vertical" aria-label="Resize panes" />
              <Panel id="right" minSize="20">
                <Pane side="right" store={panes.right} active={active === 'right'} />
              </Panel>
              {summaryOpen && (
                <>
                  <Separator className="splitter vertical" aria-label="Resize the summary" />
                  <Panel id="summary" defaultSize={380} minSize={260} maxSize="45">
                    <SummaryPanel />
                  </Panel>
                </>
              )}
            </Group>
          </Panel>
          <Separator
            className={clsx('splitter horizontal', { hidden: queueCollapsed })}
            aria-label="Resize transfers"
          />
          <Panel id="queue" minSize="6">
            <QueuePanel
              collapsed={queueCollapsed}
              onToggle={() => {
                setQueueCollapsed(!queueCollapsed);
                saveLayout({ queueCollapsed: !queueCollapsed });
              }}
            />
          </Panel>
        </Group>
        <StatusBar panes={panes} />
        <Dialogs />
        <SignInDialog />
        <Toasts />
      </div>
    </WorkspaceProvider>
  );
}

/** The theme on <html>: data-theme when forced, nothing when following the system; compact rows likewise. */
function useTheme(settings: Settings): void {
  useEffect(() => {
    const root = document.documentElement;
    if (settings.theme === 'system') delete root.dataset.theme;
    else root.dataset.theme = settings.theme;
    root.classList.toggle('compact', settings.compactRows);
  }, [settings.theme, settings.compactRows]);
}

/** Keys of the whole window: Ctrl+H (Cmd+Y on macOS, as Finder and browsers have it) opens the history. */
function useGlobalKeys(): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const mac = navigator.platform.startsWith('Mac');
      const history = mac ? event.metaKey && event.key === 'y' : event.ctrlKey && event.key === 'h';
      if (!history || event.altKey || event.shiftKey || uiStore.getState().dialog) return;
      event.preventDefault();
      openHistory();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

// The transfer history: every file moved on this device (and, with an account connected, on the others), newest
// first. Filters for text, result, time and device; a virtualized table that pages on as it scrolls; each row
// can show its source or its destination in a pane; export to CSV or JSON (into the Downloads folder); a footer
// with the count and the replication status. It refreshes when a job ends while it is open.
import * as Dialog from '@radix-ui/react-dialog';
import { useVirtualizer } from '@tanstack/react-virtual';
import { FileDown, PanelLeft, PanelRight, RefreshCw } from 'lucide-react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { HistoryFilter, HistoryRecord, HistoryResult, HistoryStatus } from '../../../shared/history';
import { useStore } from 'zustand';
import { uiStore } from '../app/ui-store';
import { connectionsStore } from '../connections/connections-store';
import { useWorkspace } from '../app/workspace';
import { DialogCloseButton } from '../common/DialogCloseButton';
import { errorText } from '../common/error-text';
import { formatDuration, formatFullDate, formatListDate, formatRate, formatSize, plural } from '../common/format';
import { ReplicationFooter } from './ReplicationFooter';
import { HISTORY_RESULT_LABELS, ResultBadge } from './ResultBadge';
import { addressParent, baseNameOf } from './record-address';

const PAGE = 200;
const ROW_HEIGHT = 26;
const DAY = 86_400_000;
const SINCE = { any: undefined, today: 1, week: 7, month: 30, custom: undefined } as const;
type Since = keyof typeof SINCE;

interface Loaded {
  records: HistoryRecord[];
  next?: string;
  total?: number;
}

export function HistoryDialog({ onClose }: { onClose: () => void }): React.JSX.Element {
  const workspace = useWorkspace();
  const { api } = workspace;
  const [text, setText] = useState('');
  const [result, setResult] = useState<HistoryResult | ''>('');
  const [since, setSince] = useState<Since>('any');
  const [device, setDevice] = useState('');
  const [connection, setConnection] = useState('');
  /** The custom range's days (YYYY-MM-DD, local), either may be empty. */
  const [range, setRange] = useState({ from: '', to: '' });
  const [connectionsSeen, setConnectionsSeen] = useState<string[]>([]);
  const saved = useStore(connectionsStore, (state) => state.connections);
  const [loaded, setLoaded] = useState<Loaded>({ records: [] });
  const [loading, setLoading] = useState(true);
  const [failure, setFailure] = useState<string>();
  const [status, setStatus] = useState<HistoryStatus>();
  const [devices, setDevices] = useState<string[]>([]);
  const [notice, setNotice] = useState<string>();
  const generation = useRef(0);

  const filter = useMemo((): HistoryFilter => {
    const days = SINCE[since];
    const custom = since === 'custom';
    const from = custom && range.from ? dayStart(range.from) : undefined;
    const to = custom && range.to ? dayStart(range.to) : undefined;
    return {
      ...(text.trim() ? { text: text.trim() } : {}),
      ...(result ? { result } : {}),
      ...(days ? { since: startOfDay(Date.now() - (days - 1) * DAY) } : {}),
      ...(from !== undefined ? { since: from } : {}),
      // Up to the end of the last day chosen.
      ...(to !== undefined ? { until: startOfDay(to + DAY + DAY / 2) } : {}),
      ...(device ? { device } : {}),
      ...(connection ? { connection } : {}),
    };
  }, [text, result, since, range, device, connection]);

  // A new filter (or a refresh) starts from the first page; an answer to an older one is dropped.
  const reload = useCallback(async () => {
    const mine = ++generation.current;
    setLoading(true);
    setLoaded((now) => ({ ...now, total: undefined }));
    try {
      // The count comes separately (a search's count reads the whole index): the rows show first.
      const counted = api.history.count(filter).then((total) => {
        if (mine === generation.current) setLoaded((now) => ({ ...now, total }));
      });
      const [page, current] = await Promise.all([api.history.query({ ...filter, limit: PAGE }), api.history.status()]);
      if (mine !== generation.current) return;
      setLoaded((now) => ({ ...page, total: page.total ?? now.total }));
      void counted.catch(() => undefined);
      setStatus(current);
      setDevices((known) => mergeNames(known, [current.device.name, ...page.records.map((r) => r.deviceName)]));
      setConnectionsSeen((known) => mergeNames(known, connectionsOf(page.records)));
      setFailure(undefined);
    } catch (error) {
      if (mine === generation.current) setFailure(errorText(error));
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, [api, filter]);

  useEffect(() => {
    // Typing in the search box waits for a pause; the other filters apply at once.
    const timer = setTimeout(() => void reload(), 150);
    return () => clearTimeout(timer);
  }, [reload]);

  // A job that ends while the view is open shows up in it.
  useEffect(
    () =>
      api.on('transfer', (event) => {
        if (event.type === 'job' && ['completed', 'failed', 'cancelled'].includes(event.job.state)) void reload();
      }),
    [api, reload],
  );

  const loadMore = useCallback(async () => {
    const after = loaded.next;
    if (!after || loading) return;
    const mine = generation.current;
    setLoading(true);
    try {
      const page = await api.history.query({ ...filter, limit: PAGE, after });
      if (mine !== generation.current) return;
      setLoaded((before) => ({ ...page, total: before.total, records: [...before.records, ...page.records] }));
      setDevices((known) =>
        mergeNames(
          known,
          page.records.map((r) => r.deviceName),
        ),
      );
    } catch (error) {
      setFailure(errorText(error));
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, [api, filter, loaded.next, loading]);

  const exportAs = async (format: 'csv' | 'json') => {
    try {
      const done = await api.history.export({ filter, format });
      setNotice(`Exported ${plural(done.records, 'record')} to ${done.path}`);
    } catch (error) {
      setFailure(errorText(error));
    }
  };

  const show = (record: HistoryRecord, which: 'source' | 'destination') => {
    const address = record[which];
    const side = which === 'source' ? 'left' : 'right';
    onClose();
    void workspace.openAddress(side, addressParent(address)).then(() => {
      const name = baseNameOf(address);
      workspace.panes[side].getState().select([name], name, name);
    });
  };

  const filtered = Object.keys(filter).length > 0;
  return (
    <Dialog.Root open onOpenChange={(open) => !open && onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog history-view">
          <header className="cm-header">
            <div>
              <Dialog.Title className="dialog-title">Transfer history</Dialog.Title>
              <Dialog.Description className="cm-subtitle">
                {status?.replication.state === 'off' || !status
                  ? 'Every file FileFerry moved on this device, newest first.'
                  : 'Every file FileFerry moved on any of your devices, newest first.'}
              </Dialog.Description>
            </div>
            <div className="cm-header-buttons">
              <button type="button" onClick={() => void exportAs('csv')} disabled={!loaded.records.length}>
                <FileDown size={14} aria-hidden /> Export CSV
              </button>
              <button type="button" onClick={() => void exportAs('json')} disabled={!loaded.records.length}>
                <FileDown size={14} aria-hidden /> Export JSON
              </button>
              <button type="button" className="icon-button" aria-label="Refresh history" onClick={() => void reload()}>
                <RefreshCw size={15} />
              </button>
              <DialogCloseButton />
            </div>
          </header>
          <div className="history-filters" role="search" aria-label="Filter the history">
            <input
              type="search"
              aria-label="Search history"
              placeholder="Search names, addresses and errors…"
              value={text}
              onChange={(event) => setText(event.target.value)}
            />
            <select aria-label="Result" value={result} onChange={(e) => setResult(e.target.value as HistoryResult)}>
              <option value="">All results</option>
              {(Object.keys(HISTORY_RESULT_LABELS) as HistoryResult[]).map((key) => (
                <option key={key} value={key}>
                  {HISTORY_RESULT_LABELS[key]}
                </option>
              ))}
            </select>
            <select aria-label="When" value={since} onChange={(e) => setSince(e.target.value as Since)}>
              <option value="any">Any time</option>
              <option value="today">Today</option>
              <option value="week">Last 7 days</option>
              <option value="month">Last 30 days</option>
              <option value="custom">Between dates…</option>
            </select>
            {since === 'custom' ? (
              <>
                <input
                  type="date"
                  aria-label="From"
                  value={range.from}
                  onChange={(e) => setRange({ ...range, from: e.target.value })}
                />
                <input
                  type="date"
                  aria-label="To"
                  value={range.to}
                  onChange={(e) => setRange({ ...range, to: e.target.value })}
                />
              </>
            ) : null}
            <select aria-label="Connection" value={connection} onChange={(e) => setConnection(e.target.value)}>
              <option value="">All connections</option>
              {mergeNames(
                connectionsSeen,
                saved.map((c) => c.name),
              ).map((name) => (
                <option key={name} value={name}>
                  {name === 'local' ? 'Local disk' : name}
                </option>
              ))}
            </select>
            <select aria-label="Device" value={device} onChange={(e) => setDevice(e.target.value)}>
              <option value="">All devices</option>
              {devices.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </div>
          {notice ? (
            <p className="history-notice" role="status">
              {notice}
            </p>
          ) : null}
          {failure ? (
            <p className="history-error" role="alert">
              {failure}{' '}
              <button type="button" className="link-button" onClick={() => void reload()}>
                Try again
              </button>
            </p>
          ) : null}
          <HistoryTable
            records={loaded.records}
            loading={loading}
            empty={
              filtered
                ? 'No transfer matches these filters. Clear the search or choose “All results”.'
                : 'No transfers yet. Drag files from one pane to the other (or press F5) and they show up here.'
            }
            onEnd={() => void loadMore()}
            onShow={show}
          />
          <footer className="history-footer">
            <span>
              {loaded.total === undefined
                ? ''
                : filtered
                  ? `${loaded.total.toLocaleString()} of ${(status?.records ?? loaded.total).toLocaleString()} records`
                  : plural(loaded.total, 'record')}
            </span>
            {status ? <ReplicationFooter status={status} /> : null}
          </footer>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

function HistoryTable({
  records,
  loading,
  empty,
  onEnd,
  onShow,
}: {
  records: HistoryRecord[];
  loading: boolean;
  empty: string;
  onEnd: () => void;
  onShow: (record: HistoryRecord, which: 'source' | 'destination') => void;
}): React.JSX.Element {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: records.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items[items.length - 1]?.index ?? -1;
  useEffect(() => {
    if (records.length > 0 && lastIndex >= records.length - 20) onEnd();
  }, [lastIndex, records.length, onEnd]);

  return (
    <div className="history-table" role="table" aria-label="Transfer history" aria-rowcount={records.length + 1}>
      <div className="history-row history-head" role="row" aria-rowindex={1}>
        {['When', 'Result', 'Name', 'From', 'To', 'Size', 'Rate', 'Took', 'Device', 'Synced', ''].map((label, i) => (
          <span key={i} role="columnheader">
            {label}
          </span>
        ))}
      </div>
      <div className="history-scroll" ref={scroller}>
        {records.length === 0 ? (
          <p className="history-empty">{loading ? 'Loading the history…' : empty}</p>
        ) : (
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {items.map((item) => {
              const record = records[item.index]!;
              const name = baseNameOf(record.source);
              return (
                <div
                  key={record.id}
                  className="history-row"
                  role="row"
                  aria-rowindex={item.index + 2}
                  style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${item.start}px)` }}
                >
                  <span role="cell" title={formatFullDate(record.startedAt)}>
                    {formatListDate(record.startedAt)}
                  </span>
                  <span role="cell">
                    <ResultBadge record={record} />
                  </span>
                  <span role="cell" className="history-name" title={name}>
                    {name}
                  </span>
                  <span role="cell" className="history-address" title={record.source}>
                    <bdi>{addressParent(record.source)}</bdi>
                  </span>
                  <span role="cell" className="history-address" title={record.destination}>
                    <bdi>{addressParent(record.destination)}</bdi>
                  </span>
                  <span role="cell" className="num">
                    {formatSize(record.size ?? record.bytesDone)}
                  </span>
                  <span role="cell" className="num">
                    {record.rate ? formatRate(record.rate) : '—'}
                  </span>
                  <span role="cell" className="num">
                    {record.durationMs === undefined ? '—' : formatElapsed(record.durationMs)}
                  </span>
                  <span role="cell" title={record.deviceId}>
                    {record.deviceName}
                  </span>
                  <span role="cell">{syncedLabel(record)}</span>
                  <span role="cell" className="history-actions">
                    <button
                      type="button"
                      className="icon-button"
                      aria-label={`Show the source of ${name} in the left pane`}
                      title="Show the source in the left pane"
                      onClick={() => onShow(record, 'source')}
                    >
                      <PanelLeft size={14} />
                    </button>
                    <button
                      type="button"
                      className="icon-button"
                      aria-label={`Show the destination of ${name} in the right pane`}
                      title="Show the destination in the right pane"
                      onClick={() => onShow(record, 'destination')}
                    >
                      <PanelRight size={14} />
                    </button>
                  </span>
                </div>
              );
            })}
          </div>
        )}
      </div>
    </div>
  );
}

/** A file's time: "0.4 s" under a minute (most files take less than a second), then as the queue shows it. */
function formatElapsed(ms: number): string {
  if (ms < 100) return '< 0.1 s';
  return ms < 60_000 ? `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s` : formatDuration(ms / 1000);
}

function syncedLabel(record: HistoryRecord): string {
  switch (record.replication) {
    case 'pending':
      return 'Waiting';
    case 'replicated':
      return 'Synced';
    case 'remote':
      return 'From device';
    default:
      return '—';
  }
}

function mergeNames(known: string[], more: string[]): string[] {
  const all = new Set([...known, ...more]);
  return all.size === known.length ? known : [...all].sort((a, b) => a.localeCompare(b));
}

function connectionsOf(records: HistoryRecord[]): string[] {
  return records.flatMap((record) => [record.sourceConnection, record.destinationConnection]);
}

/** A date input's YYYY-MM-DD as local midnight. */
function dayStart(day: string): number | undefined {
  const [year, month, date] = day.split('-').map(Number);
  if (!year || !month || !date) return undefined;
  return new Date(year, month - 1, date).getTime();
}

function startOfDay(ms: number): number {
  const day = new Date(ms);
  day.setHours(0, 0, 0, 0);
  return day.getTime();
}

/** Opens the history view (the toolbar's button and Ctrl+H). */
export function openHistory(): void {
  uiStore.getState().open({ kind: 'history' });
}

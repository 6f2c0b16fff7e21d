// The transfer queue below the panes: a region named "Transfers" with tabs for active, queued, failed and
// finished jobs (FileZilla's split), each job with what it moves, a progress bar with bytes, rate and ETA,
// files done of total, and its buttons; pause/resume all and clear finished; a job's log one click away.
import clsx from 'clsx';
import { ChevronDown, ChevronRight, CircleAlert, CircleCheck, Pause, Play, RotateCcw, Trash2, X } from 'lucide-react';
import { useMemo, useState } from 'react';
import { useStore } from 'zustand';
import { addressOf } from '../../../shared/locations';
import type { JobState } from '../../../shared/transfers';
import { formatDuration, formatRate, formatSize, plural } from '../common/format';
import { useWorkspace } from '../app/workspace';
import { uiStore } from '../app/ui-store';
import { queueStore, type JobView } from './queue-store';

type Tab = 'active' | 'queued' | 'failed' | 'done';

const TAB_STATES: Record<Tab, JobState[]> = {
  active: ['running'],
  queued: ['queued', 'paused'],
  failed: ['failed'],
  done: ['completed', 'cancelled'],
};
const TAB_LABELS: Record<Tab, string> = { active: 'Active', queued: 'Queued', failed: 'Failed', done: 'Done' };

export function QueuePanel({ collapsed, onToggle }: { collapsed: boolean; onToggle: () => void }): React.JSX.Element {
  const { api } = useWorkspace();
  const { jobs, order, queueProblem } = useStore(queueStore);
  const [tab, setTab] = useState<Tab>('active');
  const byTab = useMemo(() => {
    const grouped: Record<Tab, JobView[]> = { active: [], queued: [], failed: [], done: [] };
    for (const id of order) {
      const job = jobs[id];
      if (!job) continue;
      const found = (Object.keys(TAB_STATES) as Tab[]).find((t) => TAB_STATES[t].includes(job.state));
      if (found) grouped[found].push(job);
    }
    grouped.done.reverse();
    return grouped;
  }, [jobs, order]);
  const overall = useMemo(() => {
    const running = [...byTab.active, ...byTab.queued];
    const done = running.reduce((sum, job) => sum + job.progress.bytesDone, 0);
    const total = running.reduce((sum, job) => sum + (job.progress.bytesTotal ?? 0), 0);
    const rate = byTab.active.reduce((sum, job) => sum + job.progress.rate, 0);
    return { done, total, rate };
  }, [byTab]);
  const unfinished = byTab.active.length + byTab.queued.length;
  const anyPaused = byTab.queued.some((job) => job.state === 'paused');
  const run = (promise: Promise<unknown>) =>
    promise.catch((error: unknown) =>
      uiStore.getState().toast('error', error instanceof Error ? error.message : String(error)),
    );

  return (
    <section role="region" aria-label="Transfers" className={clsx('queue', { collapsed })}>
      <header className="queue-header">
        <button
          type="button"
          className="icon-button"
          aria-label={collapsed ? 'Show transfers' : 'Hide transfers'}
          aria-expanded={!collapsed}
          onClick={onToggle}
        >
          {collapsed ? <ChevronRight size={14} /> : <ChevronDown size={14} />}
        </button>
        <h2>Transfers</h2>
        <div role="tablist" aria-label="Transfer lists" className="queue-tabs">
          {(Object.keys(TAB_LABELS) as Tab[]).map((key) => (
            <button
              key={key}
              type="button"
              role="tab"
              aria-selected={tab === key}
              className={clsx('tab', { selected: tab === key, alert: key === 'failed' && byTab.failed.length > 0 })}
              onClick={() => setTab(key)}
            >
              {TAB_LABELS[key]} <span className="count">{byTab[key].length}</span>
            </button>
          ))}
        </div>
        {unfinished > 0 && overall.total > 0 && (
          <span className="overall" aria-label="Overall progress">
            {formatSize(overall.done)} of {formatSize(overall.total)}
            {overall.rate > 0 && <> · {formatRate(overall.rate)}</>}
          </span>
        )}
        <div className="queue-actions">
          {anyPaused || byTab.active.length === 0 ? (
            <button type="button" onClick={() => void run(api.transfers.resume({}))} disabled={unfinished === 0}>
              <Play size={13} aria-hidden /> Resume all
            </button>
          ) : (
            <button type="button" onClick={() => void run(api.transfers.pause({}))}>
              <Pause size={13} aria-hidden /> Pause all
            </button>
          )}
          <button
            type="button"
            disabled={byTab.done.length === 0}
            onClick={() => {
              queueStore.getState().forget(byTab.done.map((job) => job.id));
              void run(api.transfers.clearFinished());
            }}
          >
            <Trash2 size={13} aria-hidden /> Clear finished
          </button>
        </div>
      </header>
      {queueProblem && (
        <div className="queue-problem" role="alert">
          <CircleAlert size={14} aria-hidden /> {queueProblem}
        </div>
      )}
      {!collapsed && (
        <div role="tabpanel" aria-label={TAB_LABELS[tab]} className="queue-list">
          {byTab[tab].length === 0 ? (
            <p className="queue-empty">{emptyText(tab)}</p>
          ) : (
            <ul>
              {byTab[tab].map((job) => (
                <JobRow key={job.id} job={job} />
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}

function emptyText(tab: Tab): string {
  switch (tab) {
    case 'active':
      return 'Nothing is being transferred. Drag files from one pane to the other, or select them and press F5.';
    case 'queued':
      return 'No transfers are waiting.';
    case 'failed':
      return 'No transfer has failed.';
    case 'done':
      return 'Finished transfers appear here.';
  }
}

function JobRow({ job }: { job: JobView }): React.JSX.Element {
  const { api } = useWorkspace();
  const logs = useStore(queueStore, (state) => state.logs[job.id]);
  const [open, setOpen] = useState(false);
  const { request, progress } = job;
  const name = request.source.path.split('/').filter(Boolean).pop() ?? request.source.path;
  const target =
    'spec' in request.target.connection
      ? addressOf(request.target.connection.spec, request.target.path)
      : request.target.path;
  const fraction = progress.bytesTotal ? Math.min(1, progress.bytesDone / progress.bytesTotal) : undefined;
  const percent = fraction === undefined ? undefined : Math.floor(fraction * 100);
  const call = (promise: Promise<unknown>) =>
    void promise.catch((error: unknown) =>
      uiStore.getState().toast('error', error instanceof Error ? error.message : String(error)),
    );
  const running = job.state === 'running';
  return (
    <li className={clsx('job', job.state)} aria-label={`${name} → ${target}`}>
      <div className="job-line">
        <button
          type="button"
          className="icon-button"
          aria-label={open ? 'Hide log' : 'Show log'}
          aria-expanded={open}
          onClick={() => setOpen(!open)}
        >
          {open ? <ChevronDown size={13} /> : <ChevronRight size={13} />}
        </button>
        <span className="job-state" aria-hidden>
          {job.state === 'completed' ? (
            <CircleCheck size={14} />
          ) : job.state === 'failed' ? (
            <CircleAlert size={14} />
          ) : null}
        </span>
        <div className="job-what">
          <span className="job-name" title={request.source.path}>
            {job.currentFile && running && job.filesTotal > 1 ? job.currentFile.split('/').pop() : name}
          </span>
          <span className="job-target" title={target}>
            → {target}
          </span>
        </div>
        <div className="job-progress">
          <div
            className="bar"
            role="progressbar"
            aria-label={`Progress of ${name}`}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent}
          >
            <div className="fill" style={{ width: `${(fraction ?? (job.state === 'completed' ? 1 : 0)) * 100}%` }} />
          </div>
          <span className="job-figures">
            {job.planning
              ? `Looking through the source: ${plural(job.planning.files, 'file')} found`
              : `${percent !== undefined ? `${percent}% · ` : ''}${formatSize(progress.bytesDone)}${progress.bytesTotal !== undefined ? ` of ${formatSize(progress.bytesTotal)}` : ''}`}
            {running &&
              progress.rate > 0 &&
              ` · ${formatRate(progress.rate)} · ${formatDuration(progress.etaSeconds)} left`}
            {job.filesTotal > 1 && ` · ${job.filesDone.toLocaleString()} of ${plural(job.filesTotal, 'file')}`}
          </span>
        </div>
        <div className="job-buttons">
          {(job.state === 'running' || job.state === 'queued') && (
            <button
              type="button"
              className="icon-button"
              aria-label={`Pause ${name}`}
              onClick={() => call(api.transfers.pause({ jobId: job.id }))}
            >
              <Pause size={13} />
            </button>
          )}
          {job.state === 'paused' && (
            <button
              type="button"
              className="icon-button"
              aria-label={`Resume ${name}`}
              onClick={() => call(api.transfers.resume({ jobId: job.id }))}
            >
              <Play size={13} />
            </button>
          )}
          {job.state === 'failed' && (
            <button
              type="button"
              className="icon-button"
              aria-label={`Retry ${name}`}
              onClick={() => call(api.transfers.retry({ jobId: job.id }))}
            >
              <RotateCcw size={13} />
            </button>
          )}
          {(job.state === 'running' || job.state === 'queued' || job.state === 'paused') && (
            <button
              type="button"
              className="icon-button danger"
              aria-label={`Cancel ${name}`}
              onClick={() => call(api.transfers.cancel({ jobId: job.id }))}
            >
              <X size={13} />
            </button>
          )}
        </div>
      </div>
      {job.error && <p className="job-error">{job.error.message}</p>}
      {open && (
        <ol className="job-log" aria-label={`Log of ${name}`}>
          {(logs ?? []).length === 0 ? (
            <li className="quiet">Nothing to report.</li>
          ) : (
            logs!.map((line, index) => (
              <li key={index} className={line.level}>
                <time>{new Date(line.at).toLocaleTimeString()}</time> {line.message}
              </li>
            ))
          )}
        </ol>
      )}
    </li>
  );
}

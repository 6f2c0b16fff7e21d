// The transfer queue as the window shows it, fed only by the engine's events: job snapshots when a job's state
// changes, progress and batches of file changes at most ten times a second per job, questions to answer, and
// each job's log (warnings, retries, fallbacks, and the files that failed or were refused).
import { createStore } from 'zustand/vanilla';
import type { JobSnapshot, OverwriteAnswer, PlanningProgress, TransferEvent } from '../../../shared/transfers';

export interface JobView extends JobSnapshot {
  /** The file bytes moved for most recently. */
  currentFile?: string;
}

export interface LogLine {
  at: number;
  level: 'info' | 'warn' | 'error';
  message: string;
}

export type AskEvent = Extract<TransferEvent, { type: 'ask' }>;

export interface QueueState {
  jobs: Record<string, JobView>;
  /**
   * Jobs queued by one action (a drop of three files is three jobs), by job id: an answer "for all" to an
   * overwrite question holds for every job of the action, as the person meant it.
   */
  groups: Record<string, string>;
  /** Answers given "for all", by group. */
  groupAnswers: Record<string, OverwriteAnswer>;
  /** Job ids, oldest first. */
  order: string[];
  asks: AskEvent[];
  logs: Record<string, LogLine[]>;
  /** The queue itself could not be saved, or was recovered: shown until it is saved again. */
  queueProblem?: string;
  receive(event: TransferEvent): void;
  load(jobs: JobSnapshot[]): void;
  /** Puts jobs queued by one action in one group. */
  group(jobIds: string[]): void;
  /** An answer was given; with `forAll`, every question of the job's group now and later gets it too. */
  answered(ask: AskEvent, answer: OverwriteAnswer, forAll: boolean): void;
  forget(ids: string[]): void;
}

/** Lines kept per job: a log one click away, not the history. */
const MAX_LOG = 500;

export const queueStore = createStore<QueueState>()((set, get) => {
  const log = (jobId: string, line: LogLine) => {
    const lines = get().logs[jobId] ?? [];
    set({ logs: { ...get().logs, [jobId]: [...lines.slice(-(MAX_LOG - 1)), line] } });
  };
  const upsert = (job: JobView) => {
    const known = get().jobs[job.id];
    set({
      jobs: { ...get().jobs, [job.id]: { ...known, ...job } },
      order: known ? get().order : [...get().order, job.id],
    });
  };

  return {
    jobs: {},
    groups: {},
    groupAnswers: {},
    order: [],
    asks: [],
    logs: {},
    load(jobs) {
      for (const job of jobs) upsert(job);
    },
    receive(event) {
      switch (event.type) {
        case 'job':
          upsert(event.job);
          if (event.job.state !== 'running')
            set({ asks: get().asks.filter((ask) => ask.jobId !== event.job.id || event.job.state === 'queued') });
          return;
        case 'progress': {
          const known = get().jobs[event.jobId];
          if (!known) return;
          const planning: PlanningProgress | undefined = event.planning;
          const next: JobView = {
            ...known,
            progress: event.progress,
            filesTotal: event.filesTotal,
            filesDone: event.filesDone,
            filesFailed: event.filesFailed,
            filesSkipped: event.filesSkipped,
            ...(event.file ? { currentFile: event.file } : {}),
          };
          if (planning) next.planning = planning;
          else delete next.planning;
          set({ jobs: { ...get().jobs, [event.jobId]: next } });
          return;
        }
        case 'files':
          for (const change of event.changes) {
            if (change.state === 'failed' || (change.state === 'skipped' && change.error)) {
              log(event.jobId, {
                at: Date.now(),
                level: change.state === 'failed' ? 'error' : 'warn',
                message: `${change.state === 'failed' ? 'Failed' : 'Not copied'}: ${change.path}: ${change.error?.message ?? ''}`,
              });
            }
          }
          return;
        case 'log':
          log(event.jobId, { at: Date.now(), level: event.level, message: event.message });
          return;
        case 'ask': {
          // Answered already "for all" in its group (the workspace answers it): not asked again.
          const group = get().groups[event.jobId];
          if (group !== undefined && get().groupAnswers[group] !== undefined) return;
          set({ asks: [...get().asks, event] });
          return;
        }
        case 'queue':
          set({ queueProblem: event.level === 'info' ? undefined : event.message });
          return;
      }
    },
    group(jobIds) {
      const group = jobIds[0];
      if (!group || jobIds.length < 2) return;
      const groups = { ...get().groups };
      for (const id of jobIds) groups[id] = group;
      set({ groups });
    },
    answered(ask, answer, forAll) {
      const group = get().groups[ask.jobId];
      if (forAll && group) set({ groupAnswers: { ...get().groupAnswers, [group]: answer } });
      const covered = (other: AskEvent) =>
        other.askId === ask.askId ||
        (forAll && (other.jobId === ask.jobId || (group !== undefined && get().groups[other.jobId] === group)));
      set({ asks: get().asks.filter((other) => !covered(other)) });
    },
    forget(ids) {
      const jobs = { ...get().jobs };
      const logs = { ...get().logs };
      for (const id of ids) {
        delete jobs[id];
        delete logs[id];
      }
      set({ jobs, logs, order: get().order.filter((id) => !ids.includes(id)) });
    },
  };
});

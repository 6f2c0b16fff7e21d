// What the desktop shows of the transfer queue outside the window: the taskbar/dock progress while transfers
// run, and an OS notification when the queue finishes or a transfer fails while the window is not focused
// (when it is, the queue pane already says so). Fed with the engine's events; Electron's calls come in as
// parameters so the unit tests check what would be shown.
import type { JobState, TransferEvent } from '../../shared/transfers';

/** null: no bar; 'indeterminate': running, total unknown (a folder still being walked); else 0..1. */
export type TaskbarProgress = number | 'indeterminate' | null;

export interface QueueWatchOutputs {
  setProgress(progress: TaskbarProgress): void;
  notify(notice: { title: string; body: string }): void;
  isWindowFocused(): boolean;
}

interface JobView {
  state: JobState;
  bytesDone: number;
  bytesTotal?: number;
}

const ACTIVE: ReadonlySet<JobState> = new Set(['queued', 'running']);

export class QueueWatch {
  private readonly jobs = new Map<string, JobView>();
  /** Jobs that completed since the queue was last idle (the "finished" notice counts them). */
  private completedSinceIdle = 0;
  private shown: TaskbarProgress = null;

  constructor(private readonly out: QueueWatchOutputs) {}

  handle(event: TransferEvent): void {
    if (event.type === 'job') {
      const before = this.jobs.get(event.job.id)?.state;
      const { state, progress } = event.job;
      this.jobs.set(event.job.id, { state, bytesDone: progress.bytesDone, bytesTotal: progress.bytesTotal });
      if (state !== before) this.changed(event.job.id, state, event.job.error?.message);
    } else if (event.type === 'progress') {
      const job = this.jobs.get(event.jobId);
      if (job) {
        job.bytesDone = event.progress.bytesDone;
        job.bytesTotal = event.progress.bytesTotal;
      }
    } else {
      return;
    }
    this.showProgress();
  }

  private changed(jobId: string, state: JobState, error: string | undefined): void {
    if (state === 'completed') this.completedSinceIdle++;
    if (state === 'failed') this.tell({ title: 'A transfer failed', body: error ?? 'See the queue for details.' });
    if (state === 'completed' || state === 'failed' || state === 'cancelled') this.jobs.delete(jobId);
    if (this.active().length === 0 && this.completedSinceIdle > 0) {
      const count = this.completedSinceIdle;
      this.completedSinceIdle = 0;
      this.tell({
        title: 'Transfers finished',
        body: count === 1 ? 'The transfer is complete.' : `${count} transfers are complete.`,
      });
    }
  }

  private tell(notice: { title: string; body: string }): void {
    if (!this.out.isWindowFocused()) this.out.notify(notice);
  }

  private active(): JobView[] {
    return [...this.jobs.values()].filter((job) => ACTIVE.has(job.state));
  }

  private showProgress(): void {
    const active = this.active();
    let progress: TaskbarProgress = null;
    if (active.length > 0) {
      const known = active.every((job) => job.bytesTotal !== undefined);
      const total = active.reduce((sum, job) => sum + (job.bytesTotal ?? 0), 0);
      const done = active.reduce((sum, job) => sum + job.bytesDone, 0);
      // Hundredths are all a progress bar can show; rounding keeps repeated identical calls away.
      progress = known && total > 0 ? Math.min(1, Math.round((done / total) * 100) / 100) : 'indeterminate';
    }
    if (progress === this.shown) return;
    this.shown = progress;
    this.out.setProgress(progress);
  }
}

// What one job tells its listeners, at a pace a UI can take: a job of 100,000 files must not send 400,000
// messages (each an IPC message in the desktop app). Progress — bytes, rate, counts, the file being moved, and
// while the source is walked the folders and files found so far — goes out at most once per interval, and the
// files that ended since the last tick go with it as one batch. A change of the job's state goes out at once
// (the engine flushes this first, so the order of events stays true).
import type { FileChange, JobSnapshot, PlanningProgress, TransferEvent } from '../../../shared/transfers';
import type { FileRecord, JobRecord } from './job-model';
import type { JobTally } from './job-tally';
import { RateMeter, Throttle } from './progress-meter';

/** File states worth a line in a job's view: where a file ended up. */
const ENDED = new Set(['done', 'skipped', 'failed', 'cancelled']);

export class JobEvents {
  /** Set while the source is walked. */
  planning: PlanningProgress | undefined;
  private readonly meter = new RateMeter();
  private readonly ticker: Throttle;
  private changes: FileChange[] = [];
  private lastFile: string | undefined;

  constructor(
    private readonly record: JobRecord,
    private readonly tally: JobTally,
    intervalMs: number,
    private readonly emit: (event: TransferEvent) => void,
  ) {
    this.ticker = new Throttle(intervalMs, () => this.tick());
  }

  /** A file's state changed: an end state joins the next batch. */
  changed(file: FileRecord): void {
    if (ENDED.has(file.state)) {
      const change: FileChange = { path: file.source, state: file.state };
      if (file.error && (file.state === 'failed' || file.state === 'skipped')) change.error = file.error;
      if (file.note && file.state === 'skipped') change.note = file.note;
      this.changes.push(change);
    }
    this.ticker.poke();
  }

  /** Bytes moved for `file` (`flowed` of them new, for the rate). */
  moved(file: FileRecord, flowed: number): void {
    this.lastFile = file.source;
    if (flowed > 0) this.meter.add(flowed);
    this.ticker.poke();
  }

  /** Something shown in progress changed (the walk found more). */
  poke(): void {
    this.ticker.poke();
  }

  /** Sends what is waiting now (before a state change, so the order of events stays true). */
  flush(): void {
    this.ticker.flush();
  }

  dispose(): void {
    this.ticker.dispose();
  }

  snapshot(): JobSnapshot {
    const snapshot = this.tally.snapshot(this.record, this.record.state === 'running' ? this.meter.rate() : 0);
    if (this.planning) snapshot.planning = { ...this.planning };
    return snapshot;
  }

  private tick(): void {
    const jobId = this.record.id;
    if (this.changes.length > 0) {
      const changes = this.changes;
      this.changes = [];
      this.emit({ type: 'files', jobId, changes });
    }
    const snapshot = this.snapshot();
    const event: TransferEvent = {
      type: 'progress',
      jobId,
      progress: snapshot.progress,
      filesTotal: snapshot.filesTotal,
      filesDone: snapshot.filesDone,
      filesFailed: snapshot.filesFailed,
      filesSkipped: snapshot.filesSkipped,
    };
    if (this.lastFile !== undefined) event.file = this.lastFile;
    if (snapshot.planning) event.planning = snapshot.planning;
    this.emit(event);
  }
}

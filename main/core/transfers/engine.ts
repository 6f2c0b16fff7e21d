// The transfer queue: jobs (a file or a folder tree, any provider to any provider) run in parallel within
// per-site connection limits, report throttled progress, can be paused, resumed and cancelled, and survive
// a restart through the persisted queue. The work of one file lives in file-transfer.ts, the walk of a
// folder in folder-walker.ts, a job's counters and snapshot in job-tally.ts; this class owns state,
// scheduling and events (providers are cached in provider-cache.ts, overwrite questions wait in
// overwrite-questions.ts).
import { randomUUID } from 'node:crypto';
import { FerryError, cancelledError } from '../../../shared/errors';
import type { Provider } from '../../../shared/provider';
import type {
  FileState,
  JobSnapshot,
  JobState,
  OverwriteAnswer,
  TransferEvent,
  TransferRequest,
} from '../../../shared/transfers';
import { createLogger, type Logger } from '../log/logger';
import { asFerryError, discardPartial, transferFile } from './file-transfer';
import { planFiles } from './folder-walker';
import { FINISHED, type FileRecord, type JobRecord, type StoredQueue, UNFINISHED } from './job-model';
import { JobTally, jobFailure } from './job-tally';
import { isAnswer } from './overwrite-policy';
import { RateMeter, Throttle, progressOf } from './progress-meter';
import { lockQueue, type Unlock } from './queue-lock';
import { QueueStore } from './queue-store';
import { parseTransferRequest } from './request-schema';
import { SiteSlots } from './semaphore';
import type { ServiceGate } from './service-copy';
import { OverwriteQuestions } from './overwrite-questions';
import { ProviderCache, type OpenConnection } from './provider-cache';
import { TargetListing } from './target-listing';
import { confinedTarget, confineTarget } from './target-confinement';

export interface TransferEngineOptions {
  /** The queue is persisted at `${dataDir}/queue.json`. */
  dataDir: string;
  /** Opens a provider for a connection; the engine caches one per connection key and closes them in close(). */
  openConnection: OpenConnection;
  /** Retries per file after the first attempt, for transient errors (default 3). */
  retries?: number;
  /** Exponential backoff base in ms (default 1000). */
  retryBaseDelayMs?: number;
  /** Transfers at once per site (default: the provider's capabilities.maxConnections). */
  perSiteConcurrency?: number;
  /** Minimum interval between progress events of one job (default 250). */
  progressIntervalMs?: number;
  /** Start running queued jobs at once (default true); otherwise they wait for start() or resume(). */
  autoStart?: boolean;
  log?: Logger;
}

type StopReason = 'pause' | 'cancel' | 'close';

/** A job in memory: its persisted record plus what only lives while the engine runs. */
interface Job {
  record: JobRecord;
  tally: JobTally;
  meter: RateMeter;
  progress: Throttle;
  lastFile?: string;
  controller?: AbortController;
  /** Set while runJob is in progress. */
  running?: Promise<void>;
  /** Why the job is being stopped, while it stops. */
  stopping?: StopReason;
  /** resume() arrived while a pause was still taking effect. */
  resumeAfterStop?: boolean;
  /** The target folders' listings taken while planning, for this run only (see target-listing.ts). */
  listing?: TargetListing;
  /** Whether this run still tries service-side copies (see service-copy.ts); a new run tries again. */
  serviceGate: ServiceGate;
}

const STATE_CHANGE: ReadonlySet<FileState> = new Set<FileState>(['done', 'skipped', 'failed', 'cancelled']);

export class TransferEngine {
  private readonly jobs = new Map<string, Job>();
  private readonly listeners = new Set<(event: TransferEvent) => void>();
  private readonly providers: ProviderCache;
  private readonly questions = new OverwriteQuestions((event) => this.emit(event));
  private readonly slots: SiteSlots;
  private readonly store: QueueStore;
  private readonly log: Logger;
  private readonly retries: number;
  private readonly retryBaseDelayMs: number;
  private readonly progressIntervalMs: number;
  private started: boolean;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  private finishWaiters = new Map<string, Array<(job: JobSnapshot) => void>>();
  private unlock: Unlock = async () => {};

  private constructor(private readonly options: TransferEngineOptions) {
    this.log = options.log ?? createLogger({ component: 'transfers' });
    this.retries = Math.max(0, options.retries ?? 3);
    this.retryBaseDelayMs = Math.max(0, options.retryBaseDelayMs ?? 1000);
    this.progressIntervalMs = Math.max(10, options.progressIntervalMs ?? 250);
    this.started = options.autoStart ?? true;
    const perSite = options.perSiteConcurrency;
    this.slots = new SiteSlots((p) => perSite ?? p.capabilities.maxConnections);
    this.providers = new ProviderCache(options.openConnection, this.retries, this.retryBaseDelayMs);
    this.store = new QueueStore(options.dataDir, () => this.stored(), this.log);
  }

  /** Opens the engine and restores the persisted queue: unfinished jobs come back paused, with their progress. */
  static async open(options: TransferEngineOptions): Promise<TransferEngine> {
    const engine = new TransferEngine(options);
    engine.unlock = await lockQueue(options.dataDir);
    let stored: StoredQueue;
    try {
      stored = await engine.store.load();
    } catch (error) {
      await engine.unlock();
      throw error;
    }
    for (const record of stored.jobs) {
      try {
        record.request = parseTransferRequest(record.request);
      } catch (error) {
        engine.log.error('Dropped an unreadable job from the restored queue', { id: record.id, error });
        continue;
      }
      if (UNFINISHED.has(record.state)) record.state = 'paused';
      for (const file of record.files) if (file.state === 'running') file.state = 'pending';
      engine.jobs.set(record.id, engine.newJob(record));
    }
    return engine;
  }

  /** Validates and enqueues a request. */
  add(request: TransferRequest): JobSnapshot {
    this.assertOpen();
    const record: JobRecord = {
      id: randomUUID(),
      request: parseTransferRequest(request),
      state: 'queued',
      createdAt: Date.now(),
      planned: false,
      files: [],
    };
    const job = this.newJob(record);
    this.jobs.set(record.id, job);
    this.changedState(job);
    this.pump();
    return this.snapshot(job);
  }

  list(): JobSnapshot[] {
    return [...this.jobs.values()].map((job) => this.snapshot(job));
  }

  get(jobId: string): JobSnapshot | undefined {
    const job = this.jobs.get(jobId);
    return job && this.snapshot(job);
  }

  /** Per-file detail of a job (for a UI's expanded view or the CLI's summary). */
  files(jobId: string): Array<Readonly<FileRecord>> {
    return this.requireJob(jobId).record.files.map((file) => ({ ...file }));
  }

  /** Starts running queued jobs (only needed with autoStart: false). */
  start(): void {
    this.assertOpen();
    this.started = true;
    this.pump();
  }

  /** Pauses a job, or every unfinished job. In-flight files stop; their temporaries stay for resume. */
  pause(jobId?: string): void {
    for (const job of this.select(jobId)) {
      job.resumeAfterStop = false;
      if (job.record.state === 'queued') this.setState(job, 'paused');
      else if (job.record.state === 'running') this.stop(job, 'pause');
    }
  }

  /** Resumes a paused job (or every paused one, and starts the queue). A failed job retries its failed files. */
  resume(jobId?: string): void {
    this.assertOpen();
    for (const job of this.select(jobId)) {
      if (job.record.state === 'paused' && !job.running) this.setState(job, 'queued');
      else if (job.stopping === 'pause') job.resumeAfterStop = true;
      else if (job.record.state === 'failed' && jobId !== undefined) this.retryFailed(job);
    }
    if (jobId === undefined) this.started = true;
    this.pump();
  }

  /** Cancels a job, or every unfinished job: stops it and removes its temporaries. Finished files stay. */
  cancel(jobId?: string): void {
    for (const job of this.select(jobId)) {
      const state = job.record.state;
      if (FINISHED.has(state)) continue;
      if (state === 'running') this.stop(job, 'cancel');
      else if (!job.running) {
        job.stopping = 'cancel';
        job.running = this.cleanUpCancelled(job).finally(() => {
          job.running = undefined;
          job.stopping = undefined;
          this.afterRun(job);
        });
      }
    }
  }

  /**
   * Answers an 'ask' event; applyToAll answers the job's other questions, now and later, the same way.
   * Returns false when the question is no longer open (the job was paused or cancelled meanwhile).
   */
  answer(askId: string, answer: OverwriteAnswer, applyToAll = false): boolean {
    if (!isAnswer(answer))
      throw new FerryError('InvalidInput', `"${String(answer)}" is not an answer to an overwrite question.`);
    const jobId = this.questions.answer(askId, answer, applyToAll);
    if (jobId === undefined) return false;
    const job = applyToAll ? this.jobs.get(jobId) : undefined;
    if (job) {
      job.record.answerForAll = answer;
      this.store.saveSoon();
    }
    return true;
  }

  on(listener: (event: TransferEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves when the job is completed, failed or cancelled. */
  waitFor(jobId: string): Promise<JobSnapshot> {
    const job = this.requireJob(jobId);
    if (FINISHED.has(job.record.state) && !job.running) return Promise.resolve(this.snapshot(job));
    return new Promise((resolve) => {
      const waiters = this.finishWaiters.get(jobId) ?? [];
      waiters.push(resolve);
      this.finishWaiters.set(jobId, waiters);
    });
  }

  /** Resolves when no job is queued or running (paused jobs do not count). */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Removes finished jobs from the queue. */
  clearFinished(): void {
    for (const [id, job] of this.jobs) if (FINISHED.has(job.record.state) && !job.running) this.jobs.delete(id);
    this.store.saveSoon();
  }

  /** Stops all work (in-flight files are paused, temporaries kept), persists the queue and closes providers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const job of this.jobs.values()) {
      if (job.record.state === 'running') this.stop(job, 'close');
      else if (job.record.state === 'queued') job.record.state = 'paused';
    }
    // A cancel's clean-up may start when its run ends, so wait until nothing runs at all.
    for (
      let busy = [...this.jobs.values()].filter((j) => j.running);
      busy.length > 0;
      busy = [...this.jobs.values()].filter((j) => j.running)
    ) {
      await Promise.all(busy.map((job) => job.running));
    }
    for (const job of this.jobs.values()) job.progress.dispose();
    this.store.saveSoon();
    await this.store.flush();
    await this.unlock();
    await this.providers.closeAll();
    this.settleIdle();
  }

  // ── scheduling ──────────────────────────────────────────────────────────────────────────────────────

  private pump(): void {
    if (!this.started || this.closed) return;
    for (const job of this.jobs.values()) {
      if (job.record.state === 'queued' && !job.running) {
        job.running = this.runJob(job).finally(() => {
          job.running = undefined;
          this.afterRun(job);
        });
      }
    }
  }

  private async runJob(job: Job): Promise<void> {
    const controller = new AbortController();
    job.controller = controller;
    job.serviceGate = {};
    const { signal } = controller;
    this.setState(job, 'running');
    try {
      const { source, target } = await confineTarget(
        job.record.request,
        ...(await Promise.all([
          this.providers.get(job.record.request.source.connection, signal),
          this.providers.get(job.record.request.target.connection, signal),
        ])),
      );
      if (!job.record.planned) {
        job.listing = new TargetListing();
        job.record.files = await planFiles({
          request: job.record.request,
          source,
          target,
          slots: (providers, s) => this.slots.acquire(providers, s),
          warn: (message) => this.emitLog(job, 'warn', message),
          signal,
          listing: job.listing,
        });
        job.record.planned = true;
        job.tally.recount(job.record);
        // Files refused before any byte moved (a folder the target would not create; a name one side cannot
        // hold, skipped with its reason as the error) are reported now.
        for (const file of job.record.files) {
          if (file.error && (file.state === 'failed' || file.state === 'skipped'))
            this.emit({ type: 'file', jobId: job.record.id, path: file.source, state: file.state, error: file.error });
        }
        this.changedState(job);
      }
      // More workers than the smaller site's slots: a worker whose source has finished reading hands that
      // slot on while its target still completes the write, so the next file's read overlaps it.
      const [fewer, more] = [this.slots.limitFor(source), this.slots.limitFor(target)].sort((a, b) => a - b);
      const workers = Math.max(1, Math.min(more!, 2 * fewer!));
      let cursor = 0;
      const next = (): FileRecord | undefined => {
        while (cursor < job.record.files.length) {
          const file = job.record.files[cursor++]!;
          if (file.state === 'pending') return file;
        }
        return undefined;
      };
      await Promise.all(
        Array.from({ length: workers }, async () => {
          for (let file = next(); file && !signal.aborted; file = next())
            await this.runFile(job, file, source, target, signal);
        }),
      );
      if (signal.aborted) return;
      if (job.tally.filesFailed > 0) this.finish(job, 'failed', jobFailure(job.record));
      else this.finish(job, 'completed');
    } catch (error) {
      if (signal.aborted) return;
      this.finish(job, 'failed', asFerryError(error));
    } finally {
      job.controller = undefined;
      job.listing = undefined;
    }
  }

  private async runFile(
    job: Job,
    file: FileRecord,
    source: Provider,
    target: Provider,
    signal: AbortSignal,
  ): Promise<void> {
    this.setFileState(job, file, 'running');
    try {
      const outcome = await transferFile({
        file,
        source,
        target,
        policy: job.record.request.overwrite ?? 'overwrite',
        listed: job.listing?.take(file.target),
        retries: this.retries,
        retryBaseDelayMs: this.retryBaseDelayMs,
        storageClass: job.record.request.storageClass,
        serviceGate: job.serviceGate,
        signal,
        slots: (s) => this.slots.acquireTransfer(source, target, s),
        ask: (facts) =>
          job.record.answerForAll
            ? Promise.resolve(job.record.answerForAll)
            : this.questions.ask(job.record.id, file.target, file, facts, signal),
        setBytes: (bytes, flowed) => this.setFileBytes(job, file, bytes, flowed),
        changed: () => this.store.markDirty(),
        log: (level, message) => this.emitLog(job, level, message),
      });
      if (outcome.state === 'skipped') {
        file.note = outcome.note;
        this.setFileState(job, file, 'skipped');
      } else {
        this.setFileState(job, file, 'done');
      }
    } catch (error) {
      if (signal.aborted) {
        // Paused, cancelled or closed: the file stays pending with its partial; cancel cleans up later.
        this.setFileState(job, file, 'pending');
        return;
      }
      file.error = asFerryError(error).toJSON();
      this.setFileState(job, file, 'failed');
    }
  }

  private stop(job: Job, reason: StopReason): void {
    if (job.stopping === 'cancel') return;
    job.stopping = reason;
    job.controller?.abort(cancelledError(reason === 'cancel' ? 'The transfer' : 'The transfer (paused)'));
  }

  /** After runJob: a stopped job becomes paused or cancelled; then waiters and the queue move on. */
  private afterRun(job: Job): void {
    const reason = job.stopping;
    if (reason === 'pause' || reason === 'close') {
      job.stopping = undefined;
      const resume = job.resumeAfterStop === true && reason === 'pause' && !this.closed;
      job.resumeAfterStop = false;
      if (!FINISHED.has(job.record.state)) this.setState(job, resume ? 'queued' : 'paused');
    } else if (reason === 'cancel') {
      job.running = this.cleanUpCancelled(job).finally(() => {
        job.running = undefined;
        job.stopping = undefined;
        this.afterRun(job);
      });
      return;
    }
    this.settleFinished(job);
    this.pump();
    this.settleIdle();
  }

  private async cleanUpCancelled(job: Job): Promise<void> {
    const leftovers = job.record.files.filter((f) => f.partial || f.resumeToken);
    if (leftovers.length > 0) {
      try {
        const request = job.record.request;
        const target = await confinedTarget(request, await this.providers.get(request.target.connection));
        for (const file of leftovers) {
          await discardPartial({ file, target, log: (level, message) => this.emitLog(job, level, message) });
        }
      } catch (error) {
        this.emitLog(
          job,
          'warn',
          `Could not remove the temporaries of the cancelled transfer: ${asFerryError(error).message}`,
        );
      }
    }
    for (const file of job.record.files) {
      if (file.state === 'pending' || file.state === 'running') {
        const started = file.bytesDone > 0 || file.attempts > 0;
        file.state = 'cancelled';
        if (started) this.emit({ type: 'file', jobId: job.record.id, path: file.source, state: 'cancelled' });
      }
    }
    job.tally.recount(job.record);
    this.finish(job, 'cancelled');
  }

  private retryFailed(job: Job): void {
    for (const file of job.record.files) {
      if (file.state !== 'failed') continue;
      file.state = 'pending';
      delete file.error;
      delete file.plan;
      file.bytesDone = 0;
    }
    delete job.record.error;
    delete job.record.finishedAt;
    if (!job.record.planned) job.record.files = [];
    job.tally.recount(job.record);
    this.setState(job, 'queued');
  }

  // ── state and accounting ────────────────────────────────────────────────────────────────────────────

  private newJob(record: JobRecord): Job {
    const job: Job = {
      record,
      tally: new JobTally(record),
      meter: new RateMeter(),
      progress: new Throttle(this.progressIntervalMs, () => this.emitProgress(job)),
      serviceGate: {},
    };
    return job;
  }

  private setFileBytes(job: Job, file: FileRecord, bytes: number, flowed: number): void {
    job.tally.setBytes(file, bytes);
    job.lastFile = file.source;
    if (flowed > 0) job.meter.add(flowed);
    job.progress.poke();
    this.store.markDirty();
  }

  private setFileState(job: Job, file: FileRecord, state: FileState): void {
    if (!job.tally.setState(file, state)) return;
    const event: TransferEvent = { type: 'file', jobId: job.record.id, path: file.source, state };
    if (file.error && state === 'failed') event.error = file.error;
    if (file.note && state === 'skipped') event.note = file.note;
    this.emit(event);
    if (STATE_CHANGE.has(state)) {
      job.progress.flush();
      this.emit({ type: 'job', job: this.snapshot(job) });
    }
    // Throttled even for finished files: a folder of many small files would otherwise rewrite the queue per
    // file. A crash loses at most a second of this; such files are copied again under their recorded plan.
    this.store.markDirty();
  }

  private setState(job: Job, state: JobState): void {
    if (job.record.state === state) return;
    job.record.state = state;
    this.changedState(job);
  }

  private changedState(job: Job): void {
    this.emit({ type: 'job', job: this.snapshot(job) });
    this.store.saveSoon();
  }

  private finish(job: Job, state: JobState, error?: FerryError): void {
    job.progress.flush();
    job.record.finishedAt = Date.now();
    if (error) job.record.error = error.toJSON();
    else delete job.record.error;
    this.setState(job, state);
  }

  private snapshot(job: Job): JobSnapshot {
    return job.tally.snapshot(job.record, job.record.state === 'running' ? job.meter.rate() : 0);
  }

  private stored(): StoredQueue {
    return { version: 1, jobs: [...this.jobs.values()].map((job) => job.record) };
  }

  // ── events and waiters ──────────────────────────────────────────────────────────────────────────────

  private emit(event: TransferEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.log.error('A transfer event listener threw', { error });
      }
    }
  }

  private emitProgress(job: Job): void {
    const event: TransferEvent = {
      type: 'progress',
      jobId: job.record.id,
      progress: progressOf(job.tally.bytesDone, job.tally.bytesTotal, job.meter.rate()),
    };
    if (job.lastFile !== undefined) event.file = job.lastFile;
    this.emit(event);
  }

  private emitLog(job: Job, level: 'info' | 'warn' | 'error', message: string): void {
    this.log[level](message, { jobId: job.record.id });
    this.emit({ type: 'log', jobId: job.record.id, level, message });
  }

  private settleFinished(job: Job): void {
    if (!FINISHED.has(job.record.state) || job.running) return;
    const waiters = this.finishWaiters.get(job.record.id);
    if (!waiters) return;
    this.finishWaiters.delete(job.record.id);
    const snapshot = this.snapshot(job);
    for (const resolve of waiters) resolve(snapshot);
  }

  private isIdle(): boolean {
    for (const job of this.jobs.values()) {
      if (job.running) return false;
      if (job.record.state === 'queued' && this.started && !this.closed) return false;
    }
    return true;
  }

  private settleIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  // ── helpers ─────────────────────────────────────────────────────────────────────────────────────────

  private select(jobId: string | undefined): Job[] {
    return jobId === undefined ? [...this.jobs.values()] : [this.requireJob(jobId)];
  }

  private requireJob(jobId: string): Job {
    const job = this.jobs.get(jobId);
    if (!job) throw new FerryError('NotFound', `There is no transfer with id ${jobId}.`);
    return job;
  }

  private assertOpen(): void {
    if (this.closed) throw new FerryError('InvalidInput', 'The transfer engine has been closed.');
  }
}

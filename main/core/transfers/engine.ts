// The transfer queue: jobs (a file or a folder tree, any provider to any provider) run in parallel within
// per-site connection limits, report throttled progress, can be paused, resumed and cancelled, and survive
// a restart through the persisted queue (queue-store.ts, SQLite: a job's files live there, not in memory).
// The work of one file lives in file-transfer.ts, the walk of a folder in folder-walker.ts, a job's counters
// and snapshot in job-tally.ts, its events in job-events.ts; this class owns state, scheduling and the
// store (providers are cached in provider-cache.ts, overwrite questions wait in overwrite-questions.ts, target
// paths in flight are held in target-reservations.ts).
import { randomUUID } from 'node:crypto';
import { FerryError, cancelledError } from '../../../shared/errors';
import type {
  FileState,
  JobSnapshot,
  JobState,
  OverwriteAnswer,
  TransferEvent,
  TransferRequest,
} from '../../../shared/transfers';
import { HistoryRecorder, type HistoryOptions } from '../history/recorder';
import { createLogger, type Logger } from '../log/logger';
import { turnTaker } from '../util/abort';
import { asFerryError, discardPartial, transferFile } from './file-transfer';
import { planFiles, type PlannedFile } from './folder-walker';
import { emptyCounts, FINISHED, type FileRecord, type JobRecord, type ListedTarget, UNFINISHED } from './job-model';
import { JobEvents } from './job-events';
import { JobTally, jobFailure } from './job-tally';
import { isAnswer } from './overwrite-policy';
import { OverwriteQuestions } from './overwrite-questions';
import { ProviderCache, type OpenConnection } from './provider-cache';
import { lockQueue, type Unlock } from './queue-lock';
import { BATCH, QueueStore, type QueueProblem } from './queue-store';
import { parseTransferRequest } from './request-schema';
import { SiteSlots } from './semaphore';
import type { ServiceGate } from './service-copy';
import { confinedTarget, confineTarget, type ConfinedSides } from './target-confinement';
import { TargetReservations, type Release } from './target-reservations';
import type { Verified } from './verification';

export interface TransferEngineOptions {
  /** The queue is persisted in `${dataDir}/queue.db`. */
  dataDir: string;
  /** Opens a provider for a connection; the engine caches one per connection key and closes them in close(). */
  openConnection: OpenConnection;
  /** Retries per file after the first attempt, for transient errors (default 3). */
  retries?: number;
  /** Exponential backoff base in ms (default 1000). */
  retryBaseDelayMs?: number;
  /** Transfers at once per site (default, and at most: the provider's capabilities.maxConnections). */
  perSiteConcurrency?: number;
  /** Minimum interval between a job's progress events, and between its batches of file changes (default 100). */
  progressIntervalMs?: number;
  /** Start running queued jobs at once (default true); otherwise they wait for start() or resume(). */
  autoStart?: boolean;
  /** Finished jobs kept in the queue for the UI's list (default 200); older ones go (the history keeps them). */
  keepFinished?: number;
  /**
   * The queue belongs to this run only and nothing opens it again (the `fileferry` command's): it keeps no
   * last good copy and never waits for the disk (QueueOpenOptions.scratch).
   */
  scratchQueue?: boolean;
  /** Where each file's start and end are recorded (main/core/history); none: no history kept. */
  history?: HistoryOptions;
  log?: Logger;
}

type StopReason = 'pause' | 'cancel' | 'close';

/** A job in memory: its persisted record plus what only lives while the engine runs. */
interface Job {
  record: JobRecord;
  tally: JobTally;
  events: JobEvents;
  controller?: AbortController;
  /** Set while runJob (or a cancel's clean-up, or a retry's reset) is in progress. */
  running?: Promise<void>;
  /** Why the job is being stopped, while it stops. */
  stopping?: StopReason;
  /** resume() arrived while a pause was still taking effect. */
  resumeAfterStop?: boolean;
  /** When this run started: only target listings taken since then decide overwrites (FileRecord.listed). */
  runStartedAt: number;
  /** Whether this run still tries service-side copies (see service-copy.ts); a new run tries again. */
  serviceGate: ServiceGate;
  /** Folders this job's walk created on the target, removed again (when still empty) if it is cancelled. */
  createdFolders: string[];
}

export class TransferEngine {
  private readonly jobs = new Map<string, Job>();
  private readonly listeners = new Set<(event: TransferEvent) => void>();
  private readonly providers: ProviderCache;
  private readonly questions = new OverwriteQuestions((event) => this.emit(event));
  private readonly slots: SiteSlots;
  private perSite: number | undefined;
  /** Running jobs' copy loops, told when the concurrency setting changes. */
  private readonly concurrencyListeners = new Set<() => void>();
  private readonly reservations = new TargetReservations();
  /** Shared by every job's workers and walks: the event loop turns at least every 10 ms (util/abort.ts). */
  private readonly takeTurn = turnTaker();
  /** Aborted by close(): connections still being opened give up at once. */
  private readonly lifetime = new AbortController();
  private readonly log: Logger;
  private readonly retries: number;
  private readonly retryBaseDelayMs: number;
  private readonly progressIntervalMs: number;
  private readonly keepFinished: number;
  private store!: QueueStore;
  private openProblems: QueueProblem[] = [];
  private nextPosition = 0;
  private started: boolean;
  private closed = false;
  /** Work that outlives the call that started it (pruning finished jobs): close() waits for it. */
  private readonly background = new Set<Promise<unknown>>();
  private idleWaiters: Array<() => void> = [];
  private finishWaiters = new Map<string, Array<(job: JobSnapshot) => void>>();
  private unlock: Unlock = async () => {};
  private readonly history: HistoryRecorder | undefined;

  private constructor(private readonly options: TransferEngineOptions) {
    this.log = options.log ?? createLogger({ component: 'transfers' });
    if (options.history) {
      const { onError } = options.history;
      this.history = new HistoryRecorder({
        ...options.history,
        onError: (error) => {
          this.log.warn('Could not record transfers in the history', { error });
          onError?.(error);
        },
      });
    }
    this.retries = Math.max(0, options.retries ?? 3);
    this.retryBaseDelayMs = Math.max(0, options.retryBaseDelayMs ?? 1000);
    this.progressIntervalMs = Math.max(10, options.progressIntervalMs ?? 100);
    this.keepFinished = Math.max(0, options.keepFinished ?? 200);
    this.started = options.autoStart ?? true;
    this.perSite = options.perSiteConcurrency;
    // Never more than the connection allows: a same-site copy needs two of its connections per file, and
    // more transfers than connections would wait on each other for ever.
    this.slots = new SiteSlots((p) => Math.min(this.perSite ?? Infinity, p.capabilities.maxConnections));
    this.providers = new ProviderCache(
      options.openConnection,
      this.retries,
      this.retryBaseDelayMs,
      this.lifetime.signal,
    );
  }

  /**
   * Opens the engine and restores the persisted queue: unfinished jobs come back paused, with their progress.
   * What opening had to repair (a damaged queue set aside, a job record dropped) is in problems().
   */
  static async open(options: TransferEngineOptions): Promise<TransferEngine> {
    const engine = new TransferEngine(options);
    engine.unlock = await lockQueue(options.dataDir);
    try {
      const opened = await QueueStore.open(options.dataDir, engine.log, (problem) => engine.queueProblem(problem), {
        scratch: options.scratchQueue === true,
      });
      engine.store = opened.store;
      engine.openProblems = opened.problems;
      for (const problem of opened.problems) engine.log.warn(problem.message, { kind: problem.kind });
      for (const record of opened.jobs) {
        if (UNFINISHED.has(record.state) && record.state !== 'paused') {
          record.state = 'paused';
          engine.store.saveJob(record, false);
        }
        engine.jobs.set(record.id, engine.newJob(record));
        engine.nextPosition = Math.max(engine.nextPosition, record.position + 1);
      }
      engine.pruneFinished();
    } catch (error) {
      await engine.unlock();
      throw error;
    }
    return engine;
  }

  /** What opening the queue found wrong and did about it; the UI shows these, the CLI prints them. */
  problems(): QueueProblem[] {
    return [...this.openProblems];
  }

  /** Validates and enqueues a request. */
  add(request: TransferRequest): JobSnapshot {
    this.assertOpen();
    const record: JobRecord = {
      id: randomUUID(),
      position: this.nextPosition++,
      request: parseTransferRequest(request),
      state: 'queued',
      createdAt: Date.now(),
      planned: false,
      counts: emptyCounts(),
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

  /**
   * A job's files after `afterSeq`, up to `limit` (for a UI's job view or a summary). A finished job that
   * completed or was cancelled keeps none: the history has them.
   */
  files(jobId: string, afterSeq = -1, limit = BATCH): FileRecord[] {
    this.requireJob(jobId);
    return this.store.allFiles(jobId, afterSeq, limit);
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
      else if (job.record.state === 'failed' && jobId !== undefined && !job.running) this.retryFailed(job);
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
        this.track(job, this.cleanUpCancelled(job));
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
      this.store.saveJob(job.record);
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

  /** Removes finished jobs from the queue (the history keeps their record). */
  clearFinished(): void {
    for (const [id, job] of this.jobs) {
      if (!FINISHED.has(job.record.state) || job.running) continue;
      this.jobs.delete(id);
      this.inBackground(this.store.removeJob(id));
    }
  }

  /**
   * Stops all work (in-flight files are paused, temporaries kept), persists the queue and closes providers.
   * Always returns, and soon: connections still being opened are abandoned.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const job of this.jobs.values()) {
      if (job.record.state === 'running') this.stop(job, 'close');
      else if (job.record.state === 'queued') this.setState(job, 'paused');
    }
    this.lifetime.abort(cancelledError('Opening the connection'));
    // A cancel's clean-up may start when its run ends, so wait until nothing runs at all.
    for (let busy = this.busyJobs(); busy.length > 0; busy = this.busyJobs()) {
      await Promise.all(busy.map((job) => job.running));
    }
    for (const job of this.jobs.values()) job.events.dispose();
    this.history?.close();
    await Promise.allSettled([...this.background]);
    await this.store.close();
    await this.unlock();
    await this.providers.closeAll();
    this.settleIdle();
  }

  // ── scheduling ──────────────────────────────────────────────────────────────────────────────────────

  private pump(): void {
    if (!this.started || this.closed) return;
    for (const job of this.jobs.values()) {
      if (job.record.state === 'queued' && !job.running) this.track(job, this.runJob(job));
    }
  }

  /** Runs `work` as the job's current activity; afterRun follows it. */
  private track(job: Job, work: Promise<void>): void {
    job.running = work.finally(() => {
      job.running = undefined;
      this.afterRun(job);
    });
  }

  private async runJob(job: Job): Promise<void> {
    const controller = new AbortController();
    job.controller = controller;
    job.serviceGate = {};
    job.runStartedAt = Date.now();
    const { signal } = controller;
    this.setState(job, 'running');
    try {
      const request = job.record.request;
      const sides = await confineTarget(
        request,
        ...(await Promise.all([
          this.providers.get(request.source.connection, signal),
          this.providers.get(request.target.connection, signal),
        ])),
      );
      if (!job.record.planned) await this.plan(job, sides, signal);
      await this.copyFiles(job, sides, signal);
      const counts = job.record.counts;
      // A stop that came as the last file finished stopped nothing: the job is complete as it is.
      if (signal.aborted && counts.done + counts.failed + counts.skipped < counts.total) return;
      if (counts.failed > 0)
        this.finish(job, 'failed', jobFailure(counts, this.store.files(job.record.id, 'failed', -1, 1)[0]));
      else this.finish(job, 'completed');
    } catch (error) {
      if (signal.aborted) return;
      this.finish(job, 'failed', asFerryError(error));
    } finally {
      job.controller = undefined;
    }
  }

  /** Walks the source into the store, a folder page at a time, reporting what it finds as it goes. */
  private async plan(job: Job, { source, target }: ConfinedSides, signal: AbortSignal): Promise<void> {
    const id = job.record.id;
    if (job.record.counts.total > 0) {
      // An earlier walk was interrupted: it starts again from the top.
      await this.store.removeFiles(id);
      job.tally.reset();
    }
    job.createdFolders = [];
    job.events.planning = { folders: 0, files: 0 };
    let seq = 0;
    await planFiles({
      request: job.record.request,
      source,
      target,
      slots: (providers, s) => this.slots.acquire(providers, s),
      warn: (message) => this.emitLog(job, 'warn', message),
      signal,
      listTargets: true,
      takeTurn: this.takeTurn,
      onFiles: (planned: PlannedFile[]) => {
        const records = planned.map((file): FileRecord => ({ ...file, seq: seq++ }));
        for (const record of records) {
          job.tally.add(record);
          // Refused before any byte moved (a folder the target would not create, a name one side cannot hold).
          if (record.state !== 'pending') {
            job.events.changed(record);
            this.history?.ended(job.record, record);
          }
        }
        this.store.addFiles(id, records);
        job.events.planning!.files += records.length;
        job.events.poke();
      },
      onFolder: (created) => {
        job.events.planning!.folders++;
        if (created !== undefined) job.createdFolders.push(created);
        job.events.poke();
      },
    });
    job.record.planned = true;
    job.events.planning = undefined;
    job.events.flush();
    this.changedState(job);
  }

  /** Copies the job's pending files, as many at once as both sites allow. */
  private async copyFiles(job: Job, sides: ConfinedSides, signal: AbortSignal): Promise<void> {
    // More workers than the smaller site's slots: a worker whose source has finished reading hands that
    // slot on while its target still completes the write, so the next file's read overlaps it.
    const wanted = () => {
      const [fewer, more] = [this.slots.limitFor(sides.source), this.slots.limitFor(sides.target)].sort(
        (a, b) => a - b,
      );
      return Math.max(1, Math.min(more!, 2 * fewer!));
    };
    // The files come from the store a batch at a time, in order; each is handed to one worker.
    let buffered: FileRecord[] = [];
    let after = -1;
    let exhausted = false;
    const next = (): FileRecord | undefined => {
      if (buffered.length === 0 && !exhausted) {
        buffered = this.store.files(job.record.id, 'pending', after, 256);
        if (buffered.length === 0) exhausted = true;
        else after = buffered[buffered.length - 1]!.seq;
      }
      return buffered.shift();
    };
    const takeTurn = this.takeTurn;
    const workers: Array<Promise<void>> = [];
    const addWorkers = () => {
      while (workers.length < wanted() && !exhausted) {
        workers.push(
          (async () => {
            for (let file = next(); file && !signal.aborted; file = next()) {
              await this.runFile(job, file, sides, signal);
              await takeTurn();
            }
          })(),
        );
      }
    };
    addWorkers();
    // A higher concurrency setting adds workers to a running job; a lower one holds them at the semaphores.
    this.concurrencyListeners.add(addWorkers);
    try {
      // Workers may be added while the first ones run: wait until every one there is has finished.
      for (let awaited = 0; awaited < workers.length;) {
        const count = workers.length;
        await Promise.all(workers);
        awaited = count;
      }
    } finally {
      this.concurrencyListeners.delete(addWorkers);
    }
  }

  /**
   * Changes how many transfers run at once on one site (the setting takes effect at once: running jobs
   * start more files, or start no new ones until they are under the new limit).
   */
  setPerSiteConcurrency(limit: number | undefined): void {
    this.perSite = limit;
    this.slots.refreshLimits();
    for (const listener of [...this.concurrencyListeners]) listener();
  }

  private async runFile(
    job: Job,
    file: FileRecord,
    { source, target }: ConfinedSides,
    signal: AbortSignal,
  ): Promise<void> {
    const id = job.record.id;
    const held: Release[] = [];
    try {
      held.push(await this.reservations.reserve(TargetReservations.key(target.siteKey, file.target), id, signal));
    } catch {
      return; // stopped while another job wrote the same file
    }
    this.setFileState(job, file, 'running');
    this.history?.started(job.record, file);
    let verified: Verified | undefined;
    try {
      const outcome = await transferFile({
        file,
        source,
        target,
        policy: job.record.request.overwrite ?? 'overwrite',
        ...this.freshListing(job, file),
        retries: this.retries,
        retryBaseDelayMs: this.retryBaseDelayMs,
        storageClass: job.record.request.storageClass,
        serviceGate: job.serviceGate,
        signal,
        slots: (s) => this.slots.acquireTransfer(source, target, s),
        ask: (facts) =>
          job.record.answerForAll
            ? Promise.resolve(job.record.answerForAll)
            : this.questions.ask(id, file.target, file, facts, signal),
        claim: (path) => {
          const release = this.reservations.tryReserve(TargetReservations.key(target.siteKey, path), id);
          if (release) held.push(release);
          return release !== undefined;
        },
        setBytes: (bytes, flowed) => this.setFileBytes(job, file, bytes, flowed),
        changed: () => this.store.touchFile(id, file),
        settle: () => this.store.settleFile(id, file),
        log: (level, message) => this.emitLog(job, level, message),
      });
      if (outcome.state === 'skipped') file.note = outcome.note;
      else verified = outcome.verified;
      this.setFileState(job, file, outcome.state === 'skipped' ? 'skipped' : 'done');
    } catch (error) {
      if (signal.aborted) {
        // Paused, cancelled or closed: the file stays pending with its partial; cancel cleans up later.
        this.setFileState(job, file, 'pending');
      } else {
        file.error = asFerryError(error).toJSON();
        this.setFileState(job, file, 'failed');
      }
    } finally {
      for (const release of held) release();
    }
    // Committed with the next batch of ends (within 50 ms); a file a crash forgot is recognised on restart.
    this.store.endFile(id, file);
    this.history?.ended(job.record, file, verified);
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
    } else if (reason === 'cancel' && !FINISHED.has(job.record.state)) {
      this.track(job, this.cleanUpCancelled(job));
      return;
    } else {
      job.stopping = undefined;
    }
    if (FINISHED.has(job.record.state)) this.afterFinish(job);
    this.settleFinished(job);
    this.pump();
    this.settleIdle();
  }

  /**
   * Removes what the cancelled job left on the target: its temporaries and upload tokens, and the folders its
   * walk created that are still empty. Files already copied stay.
   */
  private async cleanUpCancelled(job: Job): Promise<void> {
    const id = job.record.id;
    const log = (level: 'info' | 'warn', message: string) => this.emitLog(job, level, message);
    try {
      const target = await confinedTarget(
        job.record.request,
        await this.providers.get(job.record.request.target.connection),
      );
      for (let after = -1; ;) {
        const leftovers = this.store.files(id, 'leftover', after, 256);
        if (leftovers.length === 0) break;
        for (const file of leftovers) {
          await discardPartial({ file, target, log });
          this.setFileState(job, file, 'cancelled');
          this.store.touchFile(id, file);
        }
        after = leftovers[leftovers.length - 1]!.seq;
      }
      // Deepest first; a folder that holds anything (the user's own, or files copied) refuses to go.
      for (const folder of job.createdFolders.reverse()) await target.remove(folder).catch(() => undefined);
      job.createdFolders = [];
    } catch (error) {
      this.emitLog(
        job,
        'warn',
        `Could not remove the temporaries of the cancelled transfer: ${asFerryError(error).message}`,
      );
    }
    this.finish(job, 'cancelled');
  }

  private retryFailed(job: Job): void {
    const record = job.record;
    this.track(
      job,
      (async () => {
        await this.store.rewriteFiles(record.id, 'failed', (file) => {
          const { error: _error, plan: _plan, ...rest } = file;
          return { ...rest, state: 'pending', bytesDone: 0 };
        });
        job.tally.failedRetried();
        delete record.error;
        delete record.finishedAt;
        this.setState(job, 'queued');
      })(),
    );
  }

  // ── state and accounting ────────────────────────────────────────────────────────────────────────────

  private newJob(record: JobRecord): Job {
    const tally = new JobTally(record.counts);
    const job: Job = {
      record,
      tally,
      events: new JobEvents(record, tally, this.progressIntervalMs, (event) => this.emit(event)),
      serviceGate: {},
      createdFolders: [],
      runStartedAt: 0,
    };
    return job;
  }

  /** What this run's walk listed about the file's target, used once; an older listing is not to be trusted. */
  private freshListing(job: Job, file: FileRecord): { listed?: ListedTarget } {
    const listed = file.listed;
    delete file.listed;
    return listed && listed.at >= job.runStartedAt ? { listed } : {};
  }

  private setFileBytes(job: Job, file: FileRecord, bytes: number, flowed: number): void {
    job.tally.setBytes(file, bytes);
    job.events.moved(file, flowed);
    this.store.touchFile(job.record.id, file);
  }

  private setFileState(job: Job, file: FileRecord, state: FileState): void {
    if (!job.tally.setState(file, state)) return;
    job.events.changed(file);
    if (state !== 'running') this.store.touchFile(job.record.id, file);
  }

  private setState(job: Job, state: JobState): void {
    if (job.record.state === state) return;
    job.record.state = state;
    this.changedState(job);
  }

  /** A state change goes out at once, after whatever progress and file changes were still waiting. */
  private changedState(job: Job): void {
    job.events.flush();
    this.emit({ type: 'job', job: this.snapshot(job) });
    this.store.saveJob(job.record);
  }

  private finish(job: Job, state: JobState, error?: FerryError): void {
    job.record.finishedAt = Date.now();
    if (error) job.record.error = error.toJSON();
    else delete job.record.error;
    this.history?.jobFinished(job.record, state);
    this.setState(job, state);
  }

  /**
   * A finished job keeps its files only while they are worth something: a failed job's for a retry. A
   * completed or cancelled job's go (the history has them), and the oldest finished jobs beyond keepFinished.
   */
  private afterFinish(job: Job): void {
    const tidy = job.record.state !== 'failed' ? this.store.removeFiles(job.record.id) : Promise.resolve();
    this.pruneFinished();
    this.inBackground(tidy.then(() => this.store.keepLastGood()));
  }

  private pruneFinished(): void {
    const finished = [...this.jobs.values()].filter((job) => FINISHED.has(job.record.state) && !job.running);
    for (const job of finished.slice(0, Math.max(0, finished.length - this.keepFinished))) {
      this.jobs.delete(job.record.id);
      this.inBackground(this.store.removeJob(job.record.id));
    }
  }

  private inBackground(work: Promise<unknown>): void {
    const tracked = work
      .catch((error: unknown) => this.log.warn('Tidying the transfer queue failed', { error }))
      .finally(() => this.background.delete(tracked));
    this.background.add(tracked);
  }

  private snapshot(job: Job): JobSnapshot {
    return job.events.snapshot();
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

  private emitLog(job: Job, level: 'info' | 'warn' | 'error', message: string): void {
    this.log[level](message, { jobId: job.record.id });
    this.emit({ type: 'log', jobId: job.record.id, level, message });
  }

  private queueProblem(problem: QueueProblem): void {
    const level = problem.kind === 'saved-again' || problem.kind === 'recovered' ? 'info' : 'error';
    this.emit({ type: 'queue', level, message: problem.message });
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

  private busyJobs(): Job[] {
    return [...this.jobs.values()].filter((job) => job.running);
  }

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

// What every benchmark suite receives from bench/run.ts.
export interface BenchContext {
  /** A temporary folder for this run's files; run.ts removes it at the end. */
  workDir: string;
  /** The large file (1 GiB unless BENCH_BIG_MIB says otherwise). */
  bigBytes: number;
  /** The smaller file that shows peak RSS does not grow with size (256 MiB unless BENCH_MID_MIB). */
  midBytes: number;
  /** Number and size of the small files of a folder job (2,000 × 16 KiB unless BENCH_SMALL_COUNT). */
  smallCount: number;
  smallBytes: number;
  /** Entries of the folders the ui suite lists (100,000 unless BENCH_UI_ENTRIES). */
  uiEntries: number;
  /** How long the ui suite takes to scroll a grid from top to bottom (10 s unless BENCH_UI_SCROLL_S). */
  uiScrollSeconds: number;
  /** Which of the ui suite's sources run (BENCH_UI_SOURCES=local,ftp,s3; all unless set). */
  uiSources: string[] | undefined;
  /** Rounds of each measurement (BENCH_REPEAT; default 9 for ftp, 5 for cloud); see ratioGoal. */
  repeat: number | undefined;
  /** When set (BENCH_CPU_PROF=dir), each FileFerry worker writes a V8 CPU profile there. */
  cpuProfileDir?: string;
  say(line: string): void;
  /** Registers a server's stop() to run should the run be interrupted (Ctrl-C); returns the unregister. */
  onInterrupt(stop: () => Promise<void>): () => void;
}

// The CLI's exit codes, one meaning each, so scripts can tell a typo from a half-finished copy.
export const EXIT = {
  /** Everything asked for was done. */
  ok: 0,
  /** Nothing (or not all) was done because of an error. */
  failure: 1,
  /** The command line was wrong: unknown command or option, bad address, missing argument. */
  usage: 2,
  /** Some files were transferred and some failed (or were skipped because of an error). */
  partial: 3,
  /** Stopped because the terminal closed (SIGHUP), after cancelling what was under way. */
  hangup: 129,
  /** Interrupted with Ctrl-C (SIGINT). */
  interrupted: 130,
  /** Stopped by SIGTERM (kill, a service manager), after cancelling what was under way. */
  terminated: 143,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A mistake on the command line: reported as `fileferry: <message>` with exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

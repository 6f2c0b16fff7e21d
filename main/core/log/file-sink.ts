// The core's log file: JSON lines in logDir() (one object per line: time, level, msg, fields), rotated by
// size (fileferry.log → fileferry.log.1 → … → fileferry.log.N, oldest dropped).
//
// Why not pino + pino-roll: pino-roll runs as a pino transport in a worker thread (thread-stream), so lines
// logged just before a CLI run exits or the process crashes may never reach the file, and tests that scan
// the log right after an operation race the worker. Our volume is small (per operation, never per chunk),
// so a synchronous append to an O_APPEND descriptor costs nothing noticeable and makes every line durable
// in order. Rotation is a few renames.
//
// Every line is redacted twice: createLogger() already redacts the message and each string field, and the
// serialised line goes through redact() again, which catches secrets by key ("password":"…") that a
// string-by-string pass cannot see.
import { closeSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { redact } from '../../../shared/redact';
import { logDir } from '../app-paths';
import { setLogSink, type LogLevel, type LogSink } from './logger';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface FileLogOptions {
  /** Default: logDir() (FILEFERRY_HOME/logs when set). */
  dir?: string;
  /** Default "fileferry.log"; the CLI and the app may use separate files. */
  fileName?: string;
  /** Rotate when the next line would make the file larger than this (default 5 MiB). */
  maxBytes?: number;
  /** Rotated files kept besides the current one (default 5). */
  maxFiles?: number;
  /** Lines below this level are dropped (default 'info'; FILEFERRY_LOG_LEVEL overrides). */
  level?: LogLevel;
}

export interface FileLog {
  readonly file: string;
  readonly sink: LogSink;
  /** Stops writing; after close() lines are dropped. */
  close(): void;
}

export function createFileLog(options: FileLogOptions = {}): FileLog {
  const dir = options.dir ?? logDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, options.fileName ?? 'fileferry.log');
  const maxBytes = options.maxBytes ?? 5 * 1024 * 1024;
  const maxFiles = Math.max(1, options.maxFiles ?? 5);
  const envLevel = process.env.FILEFERRY_LOG_LEVEL as LogLevel | undefined;
  const threshold = LEVELS[options.level ?? (envLevel && envLevel in LEVELS ? envLevel : 'info')];

  let fd: number | undefined;
  let size = 0;
  let closed = false;

  const open = () => {
    fd = openSync(file, 'a', 0o600);
    size = fstatSync(fd).size;
  };
  const rotate = () => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
    rmSync(`${file}.${maxFiles}`, { force: true });
    for (let n = maxFiles - 1; n >= 1; n--) renameIfExists(`${file}.${n}`, `${file}.${n + 1}`);
    renameIfExists(file, `${file}.1`);
    open();
  };

  const sink: LogSink = (level, message, fields) => {
    if (closed || LEVELS[level] < threshold) return;
    try {
      const line = redact(JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields })) + '\n';
      const bytes = Buffer.byteLength(line);
      if (fd === undefined) open();
      if (size > 0 && size + bytes > maxBytes) rotate();
      writeSync(fd!, line);
      size += bytes;
    } catch {
      // A full disk or a removed log folder must not break a transfer; the line is lost.
    }
  };

  return {
    file,
    sink,
    close() {
      closed = true;
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

/** Creates the file log and makes it the sink of every core logger. close() restores the silent sink. */
export function installFileLog(options: FileLogOptions = {}): FileLog {
  const log = createFileLog(options);
  setLogSink(log.sink);
  return {
    file: log.file,
    sink: log.sink,
    close() {
      setLogSink(() => {});
      log.close();
    },
  };
}

function renameIfExists(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

// One FileFerry measurement as a table row: runs the worker for a request and passes on what the engine
// logged (a fallback from a service copy, retries), which explains a figure more than any number.
import { join } from 'node:path';
import type { TransferRequest } from '../../shared/transfers';
import type { BenchContext } from './context';
import { runWorker, type Secrets } from './measure';
import type { Measurement } from './report';

export interface FileFerryCase {
  label: string;
  bytes: number;
  /** Files the job must copy (a folder job); 1 for a single file. */
  files?: number;
  request: TransferRequest;
  secrets?: Secrets;
  /** More environment for the worker (WorkerOptions.env). */
  env?: Record<string, string>;
  note?: string;
}

export async function measureFileFerry(ctx: BenchContext, c: FileFerryCase): Promise<Measurement> {
  const profileDir = ctx.cpuProfileDir ? join(ctx.cpuProfileDir, c.label.replace(/[^A-Za-z0-9]+/g, '-')) : undefined;
  const result = await runWorker(
    { request: c.request },
    {
      workDir: ctx.workDir,
      ...(c.secrets ? { secrets: c.secrets } : {}),
      ...(c.env ? { env: c.env } : {}),
      ...(profileDir ? { cpuProfileDir: profileDir } : {}),
    },
  );
  for (const warning of result.warnings.slice(0, 3)) ctx.say(`  FileFerry logged: ${warning.slice(0, 300)}`);
  const files = c.files ?? 1;
  if (result.filesDone !== files) throw new Error(`${c.label}: FileFerry copied ${result.filesDone} of ${files} files`);
  return {
    case: c.label,
    tool: 'FileFerry',
    bytes: c.bytes,
    files,
    ms: result.elapsedMs,
    cpuMs: result.cpuMs,
    peakRssKiB: result.peakRssKiB,
    serverLoad: result.serverLoad,
    ...(c.note ? { note: c.note } : {}),
  };
}

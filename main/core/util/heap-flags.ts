// The V8 flags util/heap.ts set in this process, to set again where V8 forgets them: starting a worker
// thread puts V8's flags back as the command line had them (measured: the main thread's young generation then
// grew from 1 to 16 MiB per semi-space, +30 MiB of peak RSS in a 100,000-file copy). No side effect of its
// own: a process that did not import util/heap.ts keeps V8's defaults.
import { setFlagsFromString } from 'node:v8';

const applied: string[] = [];

/** Sets `flag` now and remembers it for reapplyHeapFlags(). */
export function applyHeapFlag(flag: string): void {
  setFlagsFromString(flag);
  if (!applied.includes(flag)) applied.push(flag);
}

/** Sets again every flag applyHeapFlag() set: call it once a worker thread is online. */
export function reapplyHeapFlags(): void {
  for (const flag of applied) setFlagsFromString(flag);
}

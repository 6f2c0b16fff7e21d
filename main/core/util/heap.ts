// Keeps V8's young generation at its initial size, in every process that runs transfers: the Electron
// main process, the CLI and the benchmark's worker import this module before any other, and importing
// it is its whole effect — set later, after the modules and SDKs have loaded, it comes too late, for
// loading them already grows the young generation.
//
// Why: under the steady stream of short-lived objects a transfer makes (every chunk, request, promise and
// listing entry) V8 grows the young generation from 1 MiB to 16 MiB per semi-space, and keeps it. That is
// ~30 MiB of resident memory a transfer does not need: 2,000 small files FTP→S3 peaked at 133–141 MiB with
// it and 105–109 MiB without, at the same files/s and CPU per file (bench/README.md).
//
// How: V8 reads this flag each time it would grow the new space, so it takes effect when set at run
// time — unlike --max-semi-space-size, which only a command line sets, and Electron's main process has
// no command line of ours. A worker thread's start resets it; heap-flags.ts sets it again.
import { applyHeapFlag } from './heap-flags';

applyHeapFlag('--semi-space-growth-factor=1');

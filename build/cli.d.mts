// Types of build/cli.mjs for the TypeScript that imports it (the benchmark and the tests).
import type { Metafile } from 'esbuild';

export interface CliManifest {
  /** The entry module in out/cli/, exporting main(argv). */
  entry: string;
  builtAt: string;
  /** Every file of this build in out/cli/. */
  files: string[];
  /** Each file the build depends on (relative to the repository) → its modification time at build time. */
  inputs: Record<string, number>;
}

export function buildCli(options?: { quiet?: boolean }): Promise<{ manifest: CliManifest; metafile: Metafile }>;

import { AZURE_TIERS, S3_STORAGE_CLASSES } from '../../../shared/connection';
import { FerryError, isFerryError } from '../../../shared/errors';
import { baseName, joinPath } from '../../../shared/paths';
import { OVERWRITE_POLICIES, type OverwritePolicy, type TransferRequest } from '../../../shared/transfers';
import { EXIT, UsageError } from '../exit-codes';
import { parseAddressArg, type ResolvedLocation } from '../locations';
import { TIMEOUT_HELP } from '../timeouts';
import { runTransfer } from '../transfer';
import { parseCommandArgs, withProvider, type Command, type CommandContext } from './common';

/** What mv takes; cp adds --storage-class (a rename on one site keeps the class it has). */
export const MOVE_OPTIONS = {
  recursive: { type: 'boolean', short: 'r' },
  overwrite: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const COPY_OPTIONS = { ...MOVE_OPTIONS, 'storage-class': { type: 'string' } } as const;

/**
 * The storage class (S3) or access tier (Azure) to write with, in the service's spelling, checked against
 * the target's kind here so a typo is a usage error before anything is copied.
 */
export function storageClassFor(value: string | undefined, target: ResolvedLocation): string | undefined {
  if (value === undefined) return undefined;
  const kind = 'spec' in target.ref ? target.ref.spec.kind : undefined;
  const choices: readonly string[] | undefined =
    kind === 's3' ? S3_STORAGE_CLASSES : kind === 'azure-blob' ? AZURE_TIERS : undefined;
  if (!choices) {
    throw new UsageError(
      `--storage-class applies to S3 and Azure Blob targets; ${target.label} is ${kind === 'local' ? 'a local path' : `an ${kind?.toUpperCase() ?? 'unknown'} site`}.`,
    );
  }
  const chosen = choices.find((choice) => choice.toLowerCase() === value.trim().toLowerCase());
  if (!chosen) {
    const what = kind === 's3' ? 'an S3 storage class' : 'an Azure access tier';
    throw new UsageError(`--storage-class "${value}" is not ${what}. Choose one of ${choices.join(', ')}.`);
  }
  return chosen;
}

export const OVERWRITE_HELP = `--overwrite POLICY  what to do when a target file exists (default: overwrite):
                      overwrite, skip, if-newer, if-size-differs, resume, rename,
                      ask (asks on the terminal; needs one)`;

export function overwritePolicy(value: string | undefined, stdinIsTTY: boolean): OverwritePolicy {
  if (value === undefined) return 'overwrite';
  if (!(OVERWRITE_POLICIES as readonly string[]).includes(value)) {
    throw new UsageError(`--overwrite must be one of ${OVERWRITE_POLICIES.join(', ')} (got "${value}").`);
  }
  if (value === 'ask' && !stdinIsTTY) {
    throw new UsageError(
      '--overwrite ask needs a terminal to ask on. Choose a policy instead: ' +
        OVERWRITE_POLICIES.filter((p) => p !== 'ask').join(', ') +
        '.',
    );
  }
  return value as OverwritePolicy;
}

/**
 * Works out the request the way `cp` does: into an existing folder (or a target written with a trailing
 * slash) the source goes under its own name; otherwise the target names the copy itself.
 */
export async function planCopy(
  context: CommandContext,
  source: ResolvedLocation,
  target: ResolvedLocation,
  targetArg: string,
  recursive: boolean,
): Promise<{ intoFolder: boolean; sourceIsFolder: boolean }> {
  const sourceEntry = await withProvider(context, source, (provider) => provider.stat(source.path));
  if (sourceEntry.type === 'folder' && !recursive) {
    throw new FerryError('InvalidInput', `${source.label} is a folder. Use -r to copy it with its contents.`);
  }
  const trailingSlash = /[/\\]$/.test(targetArg);
  const intoFolder = await withProvider(context, target, async (provider) => {
    try {
      return (await provider.stat(target.path)).type === 'folder';
    } catch (error) {
      if (!isFerryError(error, 'NotFound')) throw error;
      if (trailingSlash) await provider.mkdir(target.path);
      return trailingSlash;
    }
  });
  return { intoFolder, sourceIsFolder: sourceEntry.type === 'folder' };
}

/** Parses SOURCE TARGET and the options cp and mv share; undefined when --help was asked for (and printed). */
export async function parseSourceTarget(
  args: string[],
  context: CommandContext,
  usage: string,
  options: typeof MOVE_OPTIONS | typeof COPY_OPTIONS = MOVE_OPTIONS,
) {
  const { values, positionals, help } = parseCommandArgs(
    args,
    options,
    { min: 2, max: 2, names: 'SOURCE and TARGET' },
    context,
  );
  if (help) {
    context.stdout.write(usage + '\n');
    return undefined;
  }
  const overwrite = overwritePolicy(values.overwrite, Boolean(process.stdin.isTTY));
  const source = await context.connections.resolve(parseAddressArg(positionals[0]!));
  const target = await context.connections.resolve(parseAddressArg(positionals[1]!));
  const storageClass = storageClassFor((values as { 'storage-class'?: string })['storage-class'], target);
  return {
    source,
    target,
    storageClass,
    targetArg: positionals[1]!,
    overwrite,
    recursive: Boolean(values.recursive),
    json: Boolean(values.json),
  };
}

export const cp: Command = {
  usage: `fileferry cp SOURCE TARGET [-r] [--overwrite POLICY] [--storage-class CLASS] [--json]
                    [--timeout SECONDS] [--idle-timeout SECONDS]

Copies SOURCE to TARGET. When TARGET is an existing folder (or ends with /), SOURCE is copied into it
under its own name; otherwise TARGET names the copy.

  -r, --recursive     copy folders with their contents
  ${OVERWRITE_HELP}
  --storage-class CLASS
                      write the copies with this S3 storage class (${S3_STORAGE_CLASSES.join(', ')})
                      or Azure access tier (${AZURE_TIERS.join(', ')})
  --json              one JSON object per event on stdout, then a summary object
  ${TIMEOUT_HELP}`,
  async run(args, context) {
    const parsed = await parseSourceTarget(args, context, cp.usage, COPY_OPTIONS);
    if (!parsed) return EXIT.ok;
    const { source, target, overwrite, recursive, storageClass } = parsed;
    const plan = await planCopy(context, source, target, parsed.targetArg, recursive);
    const request: TransferRequest = {
      source: { connection: source.ref, path: source.path },
      target: { connection: target.ref, path: target.path },
      intoFolder: plan.intoFolder,
      recursive,
      overwrite,
      ...(storageClass ? { storageClass } : {}),
    };
    const run = await runTransfer(context.connections, request, { json: parsed.json });
    return run.exitCode;
  },
};

/** Where a source ends up for a request planned by planCopy (for `mv`'s rename). */
export function finalTargetPath(sourcePath: string, targetPath: string, intoFolder: boolean): string {
  return intoFolder ? joinPath(targetPath, baseName(sourcePath)) : targetPath;
}

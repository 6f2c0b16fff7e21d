// What every command shares: argument parsing that turns mistakes into usage errors (with --timeout and
// --idle-timeout, which every command here takes: each opens connections), and providers that are always
// closed (by the command's connections, which reuse them first).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Provider } from '../../../shared/provider';
import { UsageError } from '../exit-codes';
import type { CliConnections, ResolvedLocation } from '../locations';
import { parseTimeouts, TIMEOUT_OPTIONS } from '../timeouts';

export interface CommandContext {
  connections: CliConnections;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

export interface Command {
  /** The command's own --help text. */
  usage: string;
  run(args: string[], context: CommandContext): Promise<number>;
}

const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

/** Parses a command's arguments; --timeout and --idle-timeout go to the connections the command opens. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
  positionals: { min: number; max: number; names: string },
  context: CommandContext,
) {
  const config = {
    args,
    options: { ...options, ...TIMEOUT_OPTIONS, ...HELP_OPTION },
    allowPositionals: true,
    strict: true,
  } as const;
  let parsed: ReturnType<typeof parseArgs<typeof config>>;
  try {
    parsed = parseArgs(config);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const help = Boolean((parsed.values as { help?: boolean }).help);
  context.connections.timeouts = parseTimeouts(parsed.values as Parameters<typeof parseTimeouts>[0]);
  const count = parsed.positionals.length;
  if (!help && (count < positionals.min || count > positionals.max)) {
    throw new UsageError(`expected ${positionals.names}, got ${count} argument${count === 1 ? '' : 's'}.`);
  }
  return { values: parsed.values, positionals: parsed.positionals, help };
}

/**
 * Runs `use` on a provider for the location's connection. The provider then goes back to the command's
 * connections, which close it or (FTP) hand it to the next user of the same connection (the engine, for cp)
 * and close it when the command ends.
 */
export async function withProvider<T>(
  context: CommandContext,
  location: ResolvedLocation,
  use: (provider: Provider) => Promise<T>,
): Promise<T> {
  const provider = await context.connections.openConnection(location.ref);
  try {
    return await use(provider);
  } finally {
    await context.connections.keep(location.ref, provider);
  }
}

// Questions on the terminal: the overwrite dialog of `--overwrite ask`.
import { createInterface } from 'node:readline/promises';
import type { OverwriteAnswer, TransferEvent } from '../../shared/transfers';
import { formatBytes, formatDate, printable } from './format';

type AskEvent = Extract<TransferEvent, { type: 'ask' }>;

const CHOICES: Record<string, OverwriteAnswer> = {
  o: 'overwrite',
  s: 'skip',
  n: 'if-newer',
  r: 'rename',
  c: 'resume',
};

function describe(side: { size?: number; modified?: number }): string {
  const size = side.size === undefined ? 'size unknown' : formatBytes(side.size);
  return side.modified === undefined ? size : `${size}, modified ${formatDate(side.modified)}`;
}

/**
 * Asks what to do about an existing target. An upper-case letter applies the answer to every later
 * conflict of the job. Returns undefined when the terminal closes (the caller then skips).
 */
export async function askOverwrite(
  event: AskEvent,
  streams = { input: process.stdin, output: process.stderr },
): Promise<{ answer: OverwriteAnswer; applyToAll: boolean } | undefined> {
  const rl = createInterface({ input: streams.input, output: streams.output, terminal: true });
  try {
    streams.output.write(
      `${printable(event.path)} already exists.\n  source: ${describe(event.source)}\n  target: ${describe(event.target)}\n`,
    );
    for (;;) {
      const reply = (
        await rl.question('[o]verwrite, [s]kip, if [n]ewer, [r]ename, resume [c] (capital letter = all): ')
      ).trim();
      const answer = CHOICES[reply.toLowerCase()];
      if (answer && reply.length === 1) return { answer, applyToAll: reply !== reply.toLowerCase() };
    }
  } catch {
    return undefined;
  } finally {
    rl.close();
  }
}

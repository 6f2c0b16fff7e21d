// How a provider's list() reports an entry it leaves out (see Provider.list): a warning in the log and a call to
// the caller's onSkipped, so a copy can count and name it instead of losing it without a word.
import type { ListOptions, SkippedName } from '../../../shared/provider';
import type { Logger } from '../log/logger';

export function reportSkipped(
  log: Logger,
  options: Pick<ListOptions, 'onSkipped'>,
  folder: string,
  skipped: SkippedName,
): void {
  log.warn('Left out a listing entry whose name FileFerry cannot use', {
    folder,
    // JSON-quoted so control characters in a hostile name stay visible in the log.
    name: JSON.stringify(skipped.name),
    reason: skipped.reason,
  });
  options.onSkipped?.(skipped);
}

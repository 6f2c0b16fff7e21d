// How a record ended, as a word with an icon (never colour alone); a failure's or a skip's reason in its tooltip.
import { CircleAlert, CircleCheck, CircleDashed, CircleMinus, CircleSlash } from 'lucide-react';
import type { HistoryRecord, HistoryResult } from '../../../shared/history';

export const HISTORY_RESULT_LABELS: Record<HistoryResult, string> = {
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
  skipped: 'Skipped',
  running: 'Running',
};

const ICONS: Record<HistoryResult, typeof CircleCheck> = {
  done: CircleCheck,
  failed: CircleAlert,
  cancelled: CircleSlash,
  skipped: CircleMinus,
  running: CircleDashed,
};

export function ResultBadge({ record }: { record: HistoryRecord }): React.JSX.Element {
  const Icon = ICONS[record.result];
  const check = record.verification
    ? `Checked by ${record.verification.check === 'size' ? 'size' : record.verification.check.toUpperCase()}`
    : undefined;
  const title = [record.errorMessage, check].filter(Boolean).join(' · ') || undefined;
  return (
    <span className={`result-badge ${record.result}`} title={title}>
      <Icon size={13} aria-hidden /> {HISTORY_RESULT_LABELS[record.result]}
    </span>
  );
}

// The open "ask" questions of the overwrite policy: each waits for answer() (or for its job to stop), and an
// answer given "for all" settles the job's other open questions the same way.
import { randomUUID } from 'node:crypto';
import { cancelledError } from '../../../shared/errors';
import type { CancelSignal } from '../../../shared/provider';
import type { OverwriteAnswer, TransferEvent } from '../../../shared/transfers';
import { onAbort } from '../util/abort';
import type { TargetFacts } from './overwrite-policy';

interface OpenQuestion {
  jobId: string;
  resolve: (answer: OverwriteAnswer) => void;
}

type SideFacts = { size?: number; modified?: number };

export class OverwriteQuestions {
  private readonly open = new Map<string, OpenQuestion>();

  constructor(private readonly emit: (event: TransferEvent) => void) {}

  /** Emits an 'ask' event and waits for its answer; rejects with Cancelled when `signal` fires first. */
  ask(
    jobId: string,
    path: string,
    source: SideFacts,
    facts: TargetFacts,
    signal: CancelSignal,
  ): Promise<OverwriteAnswer> {
    const askId = randomUUID();
    return new Promise<OverwriteAnswer>((resolve, reject) => {
      const detach = onAbort(signal, () => {
        this.open.delete(askId);
        reject(cancelledError('The question'));
      });
      this.open.set(askId, {
        jobId,
        resolve: (answer) => {
          detach();
          resolve(answer);
        },
      });
      this.emit({ type: 'ask', jobId, askId, path, source: defined(source), target: defined(facts) });
    });
  }

  /**
   * Settles a question (and with applyToAll its job's other open ones). Returns the question's job id, or
   * undefined when it is no longer open.
   */
  answer(askId: string, answer: OverwriteAnswer, applyToAll: boolean): string | undefined {
    const question = this.open.get(askId);
    if (!question) return undefined;
    this.open.delete(askId);
    question.resolve(answer);
    if (applyToAll) {
      for (const [id, other] of this.open) {
        if (other.jobId !== question.jobId) continue;
        this.open.delete(id);
        other.resolve(answer);
      }
    }
    return question.jobId;
  }
}

/** Size and time only, without undefined members (the event is a DTO). */
function defined(facts: SideFacts): SideFacts {
  const out: SideFacts = {};
  if (facts.size !== undefined) out.size = facts.size;
  if (facts.modified !== undefined) out.modified = facts.modified;
  return out;
}

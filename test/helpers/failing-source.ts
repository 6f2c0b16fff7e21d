// A source that drops part-way, as a network read that breaks: for tests of kept, resumed and aborted uploads.
import { FerryError } from '../../shared/errors';
import { patternBytes } from './pattern';

/** Yields the pattern, then fails (Network) once `failAfter` bytes have been handed out. */
export async function* failingAfter(seed: string, size: number, failAfter: number): AsyncGenerator<Uint8Array> {
  let sent = 0;
  for await (const chunk of patternBytes(seed, size)) {
    const room = failAfter - sent;
    if (room <= 0) break;
    const piece = chunk.length <= room ? chunk : chunk.subarray(0, room);
    sent += piece.length;
    yield piece;
  }
  throw new FerryError('Network', 'the source dropped (injected by the test)');
}

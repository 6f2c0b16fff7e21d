// The parallel ranged reader on its own, over ranges served from memory (the reader's own logic: order,
// window, cancel, failure); test/providers/parallel-read.test.ts runs it against s3rver and Azurite.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { FerryError } from '../../shared/errors';
import { parallelRangedRead, parallelReadProbe, type RangeOpener } from '../../main/core/util/parallel-ranged-read';
import { collect, patternBytes } from '../helpers/pattern';

interface Served {
  open: RangeOpener;
  /** Ranges opened, in order. */
  opened: Array<[number, number]>;
  /** Ranges whose body is being read now, and the most at once. */
  inFlight: number;
  peakInFlight: number;
  /** Bodies that ended (normally, by return() or by their abort), and those aborted. */
  ended: number;
  aborted: number;
}

/** Serves ranges of `data` in chunks of `chunk` bytes, one chunk per `pauseMs`; `fail` picks a part to fail. */
function serve(data: Buffer, chunk: number, pauseMs = 0, fail?: (from: number) => Error | undefined): Served {
  const served: Served = { open: undefined!, opened: [], inFlight: 0, peakInFlight: 0, ended: 0, aborted: 0 };
  served.open = async (from, length, signal) => {
    served.opened.push([from, length]);
    return (async function* () {
      served.inFlight += 1;
      served.peakInFlight = Math.max(served.peakInFlight, served.inFlight);
      try {
        for (let at = from; at < from + length; at += chunk) {
          await delay(pauseMs);
          if (signal.aborted) {
            served.aborted += 1;
            throw new Error('aborted');
          }
          const error = fail?.(from);
          if (error && at > from) throw error;
          yield data.subarray(at, Math.min(at + chunk, from + length));
        }
      } finally {
        served.inFlight -= 1;
        served.ended += 1;
      }
    })();
  };
  return served;
}

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('parallel ranged read', () => {
  it('yields every byte in order for any part size, stream count and chunk size', async () => {
    const data = await collect(patternBytes('ranged', 300_001));
    for (const [partSize, streams, chunk] of [
      [65_536, 4, 7_000],
      [100_000, 3, 65_536],
      [1_000, 8, 333],
      [300_001, 4, 50_000],
      [65_536, 1, 4_096],
    ] as const) {
      parallelReadProbe.peakBuffered = 0;
      const served = serve(data, chunk);
      const got = await collect(
        parallelRangedRead(served.open, { offset: 0, end: data.length, partSize, streams, what: 'x' }),
      );
      assert.equal(sha(got), sha(data), `part ${partSize}, ${streams} streams, chunks of ${chunk}`);
      assert.equal(served.opened.length, Math.ceil(data.length / partSize));
      assert.ok(served.peakInFlight <= streams, `at most ${streams} ranges at once (saw ${served.peakInFlight})`);
      assert.ok(parallelReadProbe.peakBuffered <= streams * partSize, 'never more than the window held');
    }
  });

  it('reads [offset, end) only, closing a body that goes on past its part', async () => {
    const data = await collect(patternBytes('window', 100_000));
    const served = serve(data, 4_096);
    let closedEarly = 0;
    // Every range is served to the end of the data, as the first response of a provider is.
    const open: RangeOpener = async (from, _length, signal) => {
      const body = await served.open(from, data.length - from, signal);
      return (async function* () {
        let done = false;
        try {
          yield* body;
          done = true;
        } finally {
          if (!done) closedEarly += 1;
        }
      })();
    };
    const got = await collect(
      parallelRangedRead(open, { offset: 1_234, end: 77_777, partSize: 10_000, streams: 3, what: 'x' }),
    );
    assert.ok(got.equals(data.subarray(1_234, 77_777)));
    assert.equal(closedEarly, served.opened.length, 'every body was closed at its part end');
  });

  it('starts no part beyond the window while the consumer waits, and holds at most the window', async () => {
    const data = await collect(patternBytes('slow', 1_000_000));
    parallelReadProbe.peakBuffered = 0;
    const served = serve(data, 8_192);
    const reader = parallelRangedRead(served.open, {
      offset: 0,
      end: data.length,
      partSize: 50_000,
      streams: 3,
      what: 'x',
    });
    const first = await reader.next();
    assert.equal(first.done, false);
    await delay(300); // every part in the window is read to its end by now
    assert.equal(served.opened.length, 3, 'three parts opened, none more');
    assert.ok(parallelReadProbe.peakBuffered <= 3 * 50_000);
    assert.ok(parallelReadProbe.peakBuffered > 2 * 50_000, 'the parts ahead were read into memory');
    const rest = await collect(reader);
    assert.ok(Buffer.concat([Buffer.from(first.value as Uint8Array), rest]).equals(data));
  });

  it('return() mid-read aborts every range in flight and waits for each to end', async () => {
    const data = await collect(patternBytes('cancel', 2_000_000));
    const served = serve(data, 4_096, 5);
    const reader = parallelRangedRead(served.open, {
      offset: 0,
      end: data.length,
      partSize: 100_000,
      streams: 4,
      what: 'x',
    });
    await reader.next();
    await delay(20);
    assert.equal(served.inFlight, 4);
    const started = Date.now();
    await reader.return(undefined);
    assert.ok(Date.now() - started < 1_000, 'no wait for the parts to finish');
    assert.equal(served.inFlight, 0, 'every body ended before return() resolved');
    assert.equal(served.ended, served.opened.length);
    assert.ok(served.aborted >= 3, 'the ranges still reading saw their signal abort');
  });

  it("the caller's signal cancels the read with a Cancelled error and ends every range", async () => {
    const data = await collect(patternBytes('signal', 2_000_000));
    const served = serve(data, 4_096, 5);
    const controller = new AbortController();
    const reader = parallelRangedRead(served.open, {
      offset: 0,
      end: data.length,
      partSize: 100_000,
      streams: 4,
      signal: controller.signal,
      what: 's3://b/k',
    });
    await reader.next();
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(
      collect(reader),
      (error: unknown) => error instanceof FerryError && error.code === 'Cancelled',
    );
    assert.equal(served.inFlight, 0);
  });

  it('a failing part fails the read with its own error after aborting the others', async () => {
    const data = await collect(patternBytes('fail', 2_000_000));
    const failure = new FerryError('Network', 'The connection was reset.');
    const served = serve(data, 4_096, 2, (from) => (from === 200_000 ? failure : undefined));
    const reader = parallelRangedRead(served.open, {
      offset: 0,
      end: data.length,
      partSize: 100_000,
      streams: 4,
      what: 'x',
    });
    await assert.rejects(collect(reader), (error: unknown) => error === failure);
    assert.equal(served.inFlight, 0, 'no range reads on after the failure');
  });

  it('a range that ends short fails the read with a Network error naming how far it got', async () => {
    const data = await collect(patternBytes('short', 100_000));
    const open: RangeOpener = async (from, length) =>
      (async function* () {
        yield data.subarray(from, from + (from === 50_000 ? length - 10 : length));
      })();
    await assert.rejects(
      collect(
        parallelRangedRead(open, { offset: 0, end: data.length, partSize: 25_000, streams: 2, what: 's3://b/k' }),
      ),
      (error: unknown) =>
        error instanceof FerryError &&
        error.code === 'Network' &&
        /s3:\/\/b\/k ended after 74990 of 100000/.test(error.message),
    );
  });
});

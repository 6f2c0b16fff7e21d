// CoalescingSink (main/core/providers/ftp/coalescing-sink.ts) on its own: what it hands on, when, and what
// it gives back. ftp.buffers.test.ts runs it inside real FTPS downloads.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { CoalescingSink } from '../../main/core/providers/ftp/coalescing-sink';
import { BufferPool } from '../../main/core/util/buffer-pool';

const BUFFER_BYTES = 64 * 1024;

/** A pool that counts what it handed out and what came back. */
class CountingPool extends BufferPool {
  readonly handedOut = new Set<ArrayBufferLike>();
  returned = 0;
  override take(): Buffer {
    const buffer = super.take();
    this.handedOut.add(buffer.buffer);
    return buffer;
  }
  override give(buffer: Buffer): void {
    this.returned += 1;
    super.give(buffer);
  }
}

function write(sink: CoalescingSink, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => sink.sink.write(chunk, (error) => (error ? reject(error) : resolve())));
}

describe('ftp CoalescingSink', () => {
  it('hands a waiting consumer what has arrived at once, without waiting for a buffer to fill', async () => {
    const sink = new CoalescingSink(new CountingPool(BUFFER_BYTES, 4), 4);
    const pending = sink.next();
    await write(sink, Buffer.from('first record'));
    const first = await pending;
    assert.equal(first.done, false);
    assert.equal(first.value?.toString(), 'first record');
  });

  it('gathers records while the consumer is busy, holds the writer once every buffer is in use, and delivers all', async () => {
    const pool = new CountingPool(BUFFER_BYTES, 3);
    const sink = new CoalescingSink(pool, 3);
    const records = Array.from({ length: 40 }, () => randomBytes(16 * 1024));
    let written = 0;
    const writer = (async () => {
      for (const record of records) {
        await write(sink, record);
        written += 1;
      }
      sink.sink.end();
    })();
    // Nobody reads yet: three buffers of 64 KiB hold twelve records, then the writer must wait.
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(written >= 11 && written <= 13, `${written} records were taken in without a reader`);

    const received: Buffer[] = [];
    for (let next = await sink.next(); !next.done; next = await sink.next()) {
      received.push(Buffer.from(next.value)); // a copy: the view goes back to the pool on the next call
    }
    await writer;
    assert.ok(Buffer.concat(received).equals(Buffer.concat(records)));
    assert.ok(
      received.some((chunk) => chunk.length === BUFFER_BYTES),
      'a consumer that fell behind got full buffers',
    );
    assert.ok(pool.handedOut.size <= 3, `${pool.handedOut.size} buffers were allocated`);
    assert.equal(pool.returned, received.length, 'every chunk handed on went back to the pool');
  });

  it('rejects a waiting consumer when the transfer fails', async () => {
    const sink = new CoalescingSink(new CountingPool(BUFFER_BYTES, 2), 2);
    const pending = sink.next();
    sink.fail(new Error('data connection reset'));
    await assert.rejects(pending, /data connection reset/);
  });

  it('lets a held writer go when the consumer abandons the download', async () => {
    const sink = new CoalescingSink(new CountingPool(BUFFER_BYTES, 2), 2);
    const held = write(sink, randomBytes(3 * BUFFER_BYTES)); // more than two buffers hold
    await sink.return();
    await held;
    assert.equal((await sink.next()).done, true);
  });
});

// The part reader of S3 uploads (parts) and Azure uploads (blocks): exact parts whatever the chunks, each
// chunk copied before the next is pulled (so a source may reuse its memory), and a file announced smaller
// than a part read into a buffer of its size.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PartReader } from '../../main/core/util/part-reader';
import { collect, patternBytes, reusedBufferChunks } from '../helpers/pattern';

const PART = 64 * 1024;

async function partsOf(reader: PartReader): Promise<Buffer[]> {
  const parts: Buffer[] = [];
  for (let part = await reader.nextPart(); part; part = await reader.nextPart()) {
    // A copy: the reader may recycle nothing here, but the caller owns what it was handed.
    parts.push(Buffer.from(part));
  }
  return parts;
}

describe('s3 part reader', () => {
  it('cuts chunks of every size, one larger than two parts, into exact parts from a reused buffer', async () => {
    const data = await collect(patternBytes('parts', 5 * PART + 123));
    const sizes = [7, PART - 1, 2, 2 * PART + 5, 1, 1000];
    const parts = await partsOf(new PartReader(reusedBufferChunks(data, sizes), PART, 3, data.length));
    assert.deepEqual(
      parts.map((p) => p.length),
      [PART, PART, PART, PART, PART, 123],
    );
    assert.ok(Buffer.concat(parts).equals(data));
  });

  it('reads a file announced smaller than a part into a buffer of its own size', async () => {
    const data = await collect(patternBytes('small', 1000));
    const reader = new PartReader(reusedBufferChunks(data, [300]), PART, 3, data.length);
    const part = (await reader.nextPart())!;
    assert.ok(part.equals(data));
    assert.equal(part.buffer.byteLength < PART, true, 'not a part-sized buffer');
    assert.equal(await reader.atEnd(), true);
    assert.equal(await reader.nextPart(), undefined);
  });

  it('copes with a source that delivers more or less than announced', async () => {
    const more = await collect(patternBytes('more', 2 * PART + 10));
    const grown = await partsOf(new PartReader(reusedBufferChunks(more, [100, PART]), PART, 3, 500));
    assert.deepEqual(
      grown.map((p) => p.length),
      [PART, PART, 10],
    );
    assert.ok(Buffer.concat(grown).equals(more));

    const less = await collect(patternBytes('less', 300));
    const shrunk = await partsOf(new PartReader(reusedBufferChunks(less, [100]), PART, 3, 5000));
    assert.ok(Buffer.concat(shrunk).equals(less));
  });

  it('tells the end after exactly one part, pulling no further than it must', async () => {
    const data = await collect(patternBytes('one', PART));
    let pulled = 0;
    async function* counted() {
      for await (const chunk of reusedBufferChunks(data, [PART / 4])) {
        pulled++;
        yield chunk;
      }
    }
    const reader = new PartReader(counted(), PART, 3);
    assert.equal((await reader.nextPart())!.length, PART);
    assert.equal(pulled, 4, 'the first part needs four chunks and no more');
    assert.equal(await reader.atEnd(), true);
  });
});

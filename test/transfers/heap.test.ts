// util/heap.ts must still work on the Node (and V8) in use — a V8 that read the flag only at start-up
// would let the young generation grow again, and peak RSS with it — and every process that runs transfers
// must import it before the modules whose loading grows the young generation.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';

const ENTRY_POINTS = ['main/electron/index.ts', 'main/cli/index.ts', 'bench/transfer-worker.ts'];

const moduleUrl = (path: string) => JSON.stringify(new URL(`../../main/core/${path}`, import.meta.url).href);

/**
 * The new space's size in bytes after a burst of short-lived garbage, in a fresh process. `copierThread`: the
 * local provider's copier thread (small-copies.ts) has started first and answered one request.
 */
function newSpaceAfterGarbage(keepSmall: boolean, copierThread = false): number {
  const script = `
    import { getHeapSpaceStatistics } from 'node:v8';
    if (${keepSmall}) await import(${moduleUrl('util/heap.ts')});
    if (${copierThread}) {
      const { smallCopier } = await import(${moduleUrl('providers/local/small-copies.ts')});
      // A descriptor that is no folder: the thread answers without copying anything.
      const outcome = await smallCopier.run({ folderFd: 999999, folderReal: '/nowhere', from: '/nowhere', name: 'x', mtimeMs: 0 });
      if (!outcome) throw new Error('the copier thread did not answer');
    }
    let live = [];
    for (let i = 0; i < 3e6; i++) { live.push({ i, chunk: 'x' + i }); if (live.length > 2000) live = []; }
    const space = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    process.stdout.write(String(space.space_size));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  return Number(out);
}

describe('util/heap', () => {
  it('once imported, keeps the new space at its initial size where V8 would grow it', () => {
    const grown = newSpaceAfterGarbage(false);
    const kept = newSpaceAfterGarbage(true);
    assert.ok(grown >= 4 * kept, `without the flag the new space grows (${grown} bytes, with it ${kept})`);
    // 4 MiB: it may have grown once while tsx loaded, before the import.
    assert.ok(kept <= 4 * 1024 * 1024, `the new space stays at 4 MiB or less, was ${kept} bytes`);
  });

  it("keeps it so once the local provider's copier thread has started (a thread's start resets V8's flags)", () => {
    const kept = newSpaceAfterGarbage(true, true);
    assert.ok(kept <= 4 * 1024 * 1024, `the new space stays at 4 MiB or less, was ${kept} bytes`);
  });

  for (const entry of ENTRY_POINTS) {
    it(`is the first module ${entry} imports`, async () => {
      const source = await readFile(new URL(`../../${entry}`, import.meta.url), 'utf8');
      const first = /^import\s[^;]*?['"]([^'"]+)['"]/m.exec(source)?.[1];
      assert.match(first ?? '', /\/core\/util\/heap$/);
    });
  }
});

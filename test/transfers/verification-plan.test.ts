// Verification costs only what it compares: which hash a copy is checked with (and whether the engine hashes
// the bytes inline) follows from what each side offers; folder jobs plan from one listing of each target
// folder instead of a stat per file; an atomic target's own count of what it committed is trusted.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Capabilities, HashAlgorithm, Provider } from '../../shared/provider';
import { planVerification, targetOffer } from '../../main/core/transfers/verification';
import {
  localRef,
  openEngine,
  openLocal,
  removeDirs,
  sha256File,
  tempDir,
  treeOf,
  wrapProvider,
  writeRandomFile,
} from './fixtures';

const NONE: readonly HashAlgorithm[] = [];
const LOCAL: readonly HashAlgorithm[] = ['sha256', 'sha1', 'md5'];
/** Capabilities that do not bear on verification; each case sets the hash fields. */
const CAPABILITIES: Capabilities = {
  hashes: NONE,
  modTimePrecisionMs: 1000,
  setModTime: false,
  resumableRead: true,
  resumableWrite: 'token',
  atomicWrite: true,
  maxConnections: 4,
  emptyFolders: true,
  cheapRename: false,
};

describe('verification plan', () => {
  it('FTP to or from anything: no common hash, nothing hashed', () => {
    const ftp = { known: {}, computable: NONE };
    assert.deepEqual(planVerification(ftp, { reported: NONE, computable: LOCAL }, true), { inline: false });
    const local = { known: {}, computable: LOCAL };
    assert.deepEqual(planVerification(local, { reported: NONE, computable: NONE }, true), { inline: false });
  });

  it('local → local: sha256 of the bytes read stands for the source, the target is hashed', () => {
    const plan = planVerification({ known: {}, computable: LOCAL }, { reported: NONE, computable: LOCAL }, true);
    assert.deepEqual(plan, { algorithm: 'sha256', inline: true });
  });

  it('local → S3 (one part): md5 inline, compared with the md5 the service confirmed', () => {
    const plan = planVerification({ known: {}, computable: LOCAL }, { reported: ['md5'], computable: NONE }, true);
    assert.deepEqual(plan, { algorithm: 'md5', inline: true });
  });

  it('local → S3 above one part: no hash (a multipart ETag is no MD5), so nothing is hashed', () => {
    const s3 = { ...CAPABILITIES, hashes: NONE, reportedHashes: ['md5'], reportedHashesUpTo: 5 * 1024 * 1024 } as const;
    const source = { known: {}, computable: LOCAL };
    assert.deepEqual(planVerification(source, targetOffer(s3, 5 * 1024 * 1024), true), {
      algorithm: 'md5',
      inline: true,
    });
    assert.deepEqual(planVerification(source, targetOffer(s3, 5 * 1024 * 1024 + 1), true), { inline: false });
    // Size unknown before the copy: the report may come, so the bytes are hashed.
    assert.deepEqual(planVerification(source, targetOffer(s3, undefined), true), { algorithm: 'md5', inline: true });
  });

  it('local → Azure: the md5 Azure computes while staging is the digest; the engine hashes nothing', () => {
    const azure = {
      ...CAPABILITIES,
      hashes: ['md5'],
      reportedHashes: ['md5'],
      reportedHashesFromStream: true,
    } as const;
    const plan = planVerification({ known: {}, computable: LOCAL }, targetOffer(azure, 1000), true);
    assert.deepEqual(plan, { algorithm: 'md5', inline: false, digestFromTarget: true });
    // A resumed upload reports no md5 (Azure did not see the first bytes): planned as before.
    const resumed = planVerification({ known: {}, computable: LOCAL }, targetOffer(azure, 1000), false);
    assert.deepEqual(resumed, { algorithm: 'md5', inline: false });
  });

  it('a listed md5 and a target that reports md5: compared directly, nothing hashed here', () => {
    const plan = planVerification(
      { known: { md5: 'a'.repeat(32) }, computable: NONE },
      { reported: ['md5'], computable: ['md5'] },
      true,
    );
    assert.deepEqual(plan, { algorithm: 'md5', inline: false });
  });

  it('a listed md5 and a target that must be re-read: inline, to tell damage on reading from damage on writing', () => {
    const plan = planVerification(
      { known: { md5: 'a'.repeat(32) }, computable: NONE },
      { reported: NONE, computable: LOCAL },
      true,
    );
    assert.deepEqual(plan, { algorithm: 'md5', inline: true });
  });

  it('a resumed copy never hashes inline (the engine did not see the first bytes)', () => {
    const plan = planVerification({ known: {}, computable: LOCAL }, { reported: NONE, computable: LOCAL }, false);
    assert.deepEqual(plan, { algorithm: 'sha256', inline: false });
  });
});

interface Calls {
  stat: number;
  list: number;
  hash: string[];
}

/** Counts the target's stat/list/hash calls; `capabilities` overrides the local provider's. */
function counting(inner: Provider, calls: Calls, capabilities: Partial<Capabilities> = {}): Provider {
  return wrapProvider(inner, {
    siteKey: `counting://${inner.siteKey}`,
    capabilities: { ...inner.capabilities, ...capabilities },
    stat: (path, options) => {
      calls.stat++;
      return inner.stat(path, options);
    },
    list: (path, options) => {
      calls.list++;
      return inner.list(path, options);
    },
    hash: (path, algorithm, options) => {
      calls.hash.push(algorithm);
      return inner.hash!(path, algorithm, options);
    },
  });
}

describe('verification and planning cost (folder jobs)', () => {
  const dirs: string[] = [];
  after(() => removeDirs(...dirs));

  async function tree(count: number) {
    const [src, dst, data] = [await tempDir(), await tempDir(), await tempDir()];
    dirs.push(src, dst, data);
    for (let i = 0; i < count; i++) await writeRandomFile(join(src, 'docs', `f${i}.bin`), 1000 + i);
    return { src, dst, data };
  }

  it('plans from one listing per target folder; a non-atomic target is stat-ed once per file, hashed once', async () => {
    const { src, dst, data } = await tree(12);
    // One file exists already, to be skipped on the listing's word.
    await writeRandomFile(join(dst, 'docs', 'f3.bin'), 5);
    const calls: Calls = { stat: 0, list: 0, hash: [] };
    const target = counting(await openLocal(dst), calls);
    const { engine } = await openEngine(data, { target: async () => target });
    const job = engine.add({
      source: { connection: localRef(src), path: '/docs' },
      target: { connection: { savedId: 'target' }, path: '/docs' },
      recursive: true,
      overwrite: 'skip',
    });
    const done = await engine.waitFor(job.id);
    await engine.close();
    assert.equal(done.state, 'completed', JSON.stringify(done.error));
    assert.equal(done.filesDone, 11);
    assert.equal(done.filesSkipped, 1);
    assert.equal(calls.list, 1, 'one listing of the target folder');
    assert.equal(calls.stat, 11, "one stat per copied file: its temporary's size after the write");
    assert.deepEqual(calls.hash, Array(11).fill('sha256'), 'each copy hashed once, with sha256');
    for (let i = 0; i < 12; i++) {
      if (i === 3) continue;
      assert.equal(await sha256File(join(dst, 'docs', `f${i}.bin`)), await sha256File(join(src, 'docs', `f${i}.bin`)));
    }
  });

  it('an atomic target that reports what it committed is neither stat-ed nor re-read', async () => {
    const { src, dst, data } = await tree(5);
    const calls: Calls = { stat: 0, list: 0, hash: [] };
    const inner = await openLocal(dst);
    // Reports the md5 of what it wrote, like S3's confirmed ETag; offers no hash() of its own.
    const target = counting(inner, calls, { atomicWrite: true, hashes: [], reportedHashes: ['md5'] });
    const reporting = wrapProvider(target, {
      async write(path, source, options) {
        const result = await inner.write(path, source, options);
        return { ...result, hashes: { md5: await inner.hash!(path, 'md5') } };
      },
    });
    const { engine } = await openEngine(data, { target: async () => reporting });
    const job = engine.add({
      source: { connection: localRef(src), path: '/docs' },
      target: { connection: { savedId: 'target' }, path: '/out' },
      recursive: true,
    });
    const done = await engine.waitFor(job.id);
    await engine.close();
    assert.equal(done.state, 'completed', JSON.stringify(done.error));
    assert.equal(calls.stat, 0);
    // The walk created /out, so it knows the folder holds nothing: not even one listing is needed.
    assert.equal(calls.list, 0);
    assert.deepEqual(calls.hash, []);
    assert.deepEqual(await treeOf(join(dst, 'out')), ['f0.bin', 'f1.bin', 'f2.bin', 'f3.bin', 'f4.bin']);
  });

  it('a reported hash that differs from the bytes read fails the file with Integrity', async () => {
    const { src, dst, data } = await tree(1);
    const inner = await openLocal(dst);
    const lying = wrapProvider(inner, {
      siteKey: 'lying://target',
      capabilities: { ...inner.capabilities, atomicWrite: true, hashes: [], reportedHashes: ['md5'] },
      async write(path, source, options) {
        const result = await inner.write(path, source, options);
        return { ...result, hashes: { md5: '0'.repeat(32) } };
      },
    });
    const { engine } = await openEngine(data, { lying: async () => lying });
    const job = engine.add({
      source: { connection: localRef(src), path: '/docs/f0.bin' },
      target: { connection: { savedId: 'lying' }, path: '/f0.bin' },
    });
    const done = await engine.waitFor(job.id);
    await engine.close();
    assert.equal(done.state, 'failed');
    assert.equal(done.error?.code, 'Integrity');
    assert.match(done.error?.message ?? '', /md5/);
    assert.deepEqual(await treeOf(dst), [], 'the new bad copy was removed');
  });

  /** A target that, like Azure, reports its own md5 of the bytes it was handed; `report` may distort it. */
  function streamDigestTarget(inner: Provider, report: (md5: string) => string): Provider {
    return wrapProvider(inner, {
      siteKey: 'stream-digest://target',
      capabilities: {
        ...inner.capabilities,
        atomicWrite: true,
        hashes: [],
        reportedHashes: ['md5'],
        reportedHashesFromStream: true,
      },
      async write(path, source, options) {
        const hash = createHash('md5');
        async function* hashed() {
          for await (const chunk of source) {
            hash.update(chunk);
            yield chunk;
          }
        }
        const result = await inner.write(path, hashed(), options);
        return { ...result, hashes: { md5: report(hash.digest('hex')) } };
      },
    });
  }

  /** The local disk as a source whose stat names each file's md5, like an S3 listing's ETag. */
  function md5NamingSource(inner: Provider): Provider {
    return wrapProvider(inner, {
      siteKey: 'md5-naming://source',
      async stat(path, options) {
        const entry = await inner.stat(path, options);
        return entry.type === 'file' ? { ...entry, hashes: { md5: await inner.hash!(path, 'md5', options) } } : entry;
      },
    });
  }

  it("a target's own digest of the bytes is checked against the hash the source names", async () => {
    const { src, dst, data } = await tree(2);
    const source = md5NamingSource(await openLocal(src));
    const honest = streamDigestTarget(await openLocal(dst), (md5) => md5);
    const flipped = streamDigestTarget(await openLocal(dst), (md5) => (md5[0] === '0' ? '1' : '0') + md5.slice(1));
    const { engine } = await openEngine(data, {
      source: async () => source,
      honest: async () => honest,
      flipped: async () => flipped,
    });
    const good = engine.add({
      source: { connection: { savedId: 'source' }, path: '/docs/f0.bin' },
      target: { connection: { savedId: 'honest' }, path: '/f0.bin' },
    });
    const bad = engine.add({
      source: { connection: { savedId: 'source' }, path: '/docs/f1.bin' },
      target: { connection: { savedId: 'flipped' }, path: '/f1.bin' },
    });
    const [goodDone, badDone] = [await engine.waitFor(good.id), await engine.waitFor(bad.id)];
    await engine.close();
    assert.equal(goodDone.state, 'completed', JSON.stringify(goodDone.error));
    assert.equal(await sha256File(join(dst, 'f0.bin')), await sha256File(join(src, 'docs', 'f0.bin')));
    assert.equal(badDone.state, 'failed');
    assert.equal(badDone.error?.code, 'Integrity');
    assert.match(badDone.error?.message ?? '', /md5/);
    assert.deepEqual(await treeOf(dst), ['f0.bin'], 'the copy whose digest disagreed was removed');
  });

  it('a stale temporary is replaced when the policy does not resume (no stat of it needed)', async () => {
    const { src, dst, data } = await tree(2);
    await writeRandomFile(join(dst, 'docs', '.f0.bin.ffpart'), 700);
    await writeFile(join(dst, 'docs', 'f1.bin'), 'old');
    const { engine } = await openEngine(data);
    const job = engine.add({
      source: { connection: localRef(src), path: '/docs' },
      target: { connection: localRef(dst), path: '/docs' },
      recursive: true,
    });
    const done = await engine.waitFor(job.id);
    await engine.close();
    assert.equal(done.state, 'completed', JSON.stringify(done.error));
    assert.deepEqual(await treeOf(join(dst, 'docs')), ['f0.bin', 'f1.bin']);
    for (const name of ['f0.bin', 'f1.bin'])
      assert.equal(await sha256File(join(dst, 'docs', name)), await sha256File(join(src, 'docs', name)));
  });
});

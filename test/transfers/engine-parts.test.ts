// Unit tests of the engine's small parts: semaphores, backoff, names, rate meter, connection keys.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Provider } from '../../shared/provider';
import { backoffDelay } from '../../main/core/transfers/backoff';
import { connectionKey } from '../../main/core/transfers/connection-key';
import { RateMeter, Throttle } from '../../main/core/transfers/progress-meter';
import { Semaphore, SiteSlots } from '../../main/core/transfers/semaphore';
import { isTempName, numberedPath, tempPathFor } from '../../main/core/transfers/temp-name';

describe('engine parts', () => {
  it('a semaphore grants in FIFO order and a waiter can be aborted', async () => {
    const semaphore = new Semaphore(1);
    const first = await semaphore.acquire();
    const order: string[] = [];
    const controller = new AbortController();
    const b = semaphore.acquire().then((release) => (order.push('b'), release));
    const aborted = semaphore.acquire(controller.signal);
    const c = semaphore.acquire().then((release) => (order.push('c'), release));
    controller.abort();
    await assert.rejects(aborted, (e: Error & { code?: string }) => e.code === 'Cancelled');
    first();
    (await b)();
    (await c)();
    assert.deepEqual(order, ['b', 'c']);
    assert.equal(semaphore.inUse, 0);
  });

  it('site slots take one slot per distinct site', async () => {
    const site = (siteKey: string) => ({ siteKey, capabilities: { maxConnections: 1 } }) as unknown as Provider;
    const slots = new SiteSlots((p) => p.capabilities.maxConnections);
    const release = await slots.acquire([site('a'), site('a')]);
    let second = false;
    const waiting = slots.acquire([site('b'), site('a')]).then((r) => ((second = true), r));
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(second, false, 'site a is full');
    release();
    (await waiting)();
  });

  it('a semaphore grants several slots all at once, in turn', async () => {
    const semaphore = new Semaphore(2);
    const one = await semaphore.acquire();
    const order: string[] = [];
    // Wants both slots: waits for the one held, and a later single-slot waiter waits behind it.
    const both = semaphore.acquire(undefined, 2).then((release) => (order.push('both'), release));
    const single = semaphore.acquire().then((release) => (order.push('single'), release));
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(order, [], 'one slot is free, but the first in line needs two');
    one();
    (await both)();
    (await single)();
    assert.deepEqual(order, ['both', 'single']);
    assert.equal(semaphore.inUse, 0);
    assert.throws(() => semaphore.acquire(undefined, 3), RangeError);
  });

  it('a copy within one site takes two of its slots; with one allowed it is refused unless the site copies', async () => {
    const site = (maxConnections: number, copy?: () => Promise<void>) =>
      ({ siteKey: `s${maxConnections}`, capabilities: { maxConnections }, copy }) as unknown as Provider;
    const slots = new SiteSlots((p) => p.capabilities.maxConnections);
    const ftp = site(2);
    const held = await slots.acquireTransfer(ftp, ftp);
    let second = false;
    const waiting = slots.acquireTransfer(ftp, ftp).then((s) => ((second = true), s));
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(second, false, 'the first copy holds both slots');
    held.release();
    (await waiting).release();
    const single = site(1);
    await assert.rejects(slots.acquireTransfer(single, single), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'InvalidInput');
      assert.match(e.message, /two of its connections at once.*Raise its connection limit to 2/);
      return true;
    });
    const copying = site(1, async () => {});
    (await slots.acquireTransfer(copying, copying)).release();
  });

  it('a semaphore takes a new limit at once: raising it grants waiters, lowering it holds new ones back', async () => {
    const semaphore = new Semaphore(1);
    const first = await semaphore.acquire();
    let granted = 0;
    const waiting = [semaphore.acquire(), semaphore.acquire(), semaphore.acquire()].map((p) =>
      p.then((release) => (granted++, release)),
    );
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(granted, 0);
    semaphore.setLimit(3);
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(granted, 2, 'two more run beside the first');
    semaphore.setLimit(1);
    const [second, third] = await Promise.all(waiting.slice(0, 2));
    first();
    second!();
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(granted, 2, 'one slot is still held, and one is the limit now');
    third!();
    (await waiting[2]!)();
    assert.equal(semaphore.inUse, 0);
    // A waiter for two slots, queued before the limit fell to one, gets one instead of waiting for ever.
    const two = new Semaphore(2);
    const held = await two.acquire();
    const pair = two.acquire(undefined, 2);
    two.setLimit(1);
    held();
    (await pair)();
    assert.equal(two.inUse, 0);
  });

  it('backoff grows exponentially with jitter and a cap', () => {
    assert.equal(
      backoffDelay(1, 1000, () => 0.5),
      1000,
    );
    assert.equal(
      backoffDelay(3, 1000, () => 0.5),
      4000,
    );
    assert.equal(
      backoffDelay(2, 1000, () => 0),
      1000,
    );
    assert.equal(
      backoffDelay(30, 1000, () => 0.99),
      60_000,
    );
  });

  it('names temporaries and numbered copies', () => {
    assert.equal(tempPathFor('/a/report.pdf'), '/a/.report.pdf.ffpart');
    assert.ok(isTempName('.report.pdf.ffpart'));
    assert.ok(!isTempName('report.pdf'));
    const long = tempPathFor(`/a/${'é'.repeat(200)}.bin`);
    assert.ok(Buffer.byteLength(long.slice(3)) < 255 && isTempName(long.slice(3)));
    assert.equal(tempPathFor(`/a/${'é'.repeat(200)}.bin`), long, 'stable across restarts');
    assert.equal(numberedPath('/a/report.pdf', 1), '/a/report (1).pdf');
    assert.equal(numberedPath('/a/.bashrc', 2), '/a/.bashrc (2)');
    assert.equal(numberedPath('/a/archive.tar.gz', 3), '/a/archive.tar (3).gz');
  });

  it('the rate meter measures over its window', () => {
    const meter = new RateMeter(1000);
    meter.add(0, 0);
    for (let t = 100; t <= 1000; t += 100) meter.add(100_000, t);
    assert.equal(Math.round(meter.rate(1000)), 1_000_000);
    assert.equal(meter.rate(10_000), 0, 'nothing moved in the last window');
  });

  it('the throttle emits at once, folds bursts and always delivers the last value', async () => {
    let emitted = 0;
    const throttle = new Throttle(50, () => emitted++);
    for (let i = 0; i < 100; i++) throttle.poke();
    assert.equal(emitted, 1);
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(emitted, 2);
    throttle.dispose();
  });

  it('connection keys ignore property order', () => {
    assert.equal(
      connectionKey({ spec: { kind: 'local', root: '/x' }, secretsKey: 'k' }),
      connectionKey({ secretsKey: 'k', spec: { root: '/x', kind: 'local' } }),
    );
  });
});

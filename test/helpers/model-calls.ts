// What the model-client tests of every service share: a request, the failure assertion, a refused port, and
// the two cancel scenarios (mid-stream and before the answer starts), run against whichever stub records the
// request (both stubs record `closed` and `closedEarly`).
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import {
  modelFailureOf,
  type ModelFailure,
  type ModelRequest,
  type SummaryModel,
} from '../../main/core/ai/models/types';
import { expectCode } from './expect-error';
import { until } from './until';

/** What a stub records of a request that matters to a cancel. */
export interface ClosableRecord {
  closed: boolean;
  closedEarly: boolean;
}

export function summaryRequest(overrides: Partial<ModelRequest> = {}): ModelRequest {
  return { system: 'You summarise files.', user: '<file>hello world</file>', maxOutputTokens: 321, ...overrides };
}

/** Asserts the call rejects with that ModelFailure (and a message matching `message`); returns the error. */
export async function expectModelFailure(
  promise: Promise<unknown>,
  failure: ModelFailure,
  message?: RegExp,
): Promise<Error> {
  let caught: unknown;
  await promise.then(
    () => assert.fail(`expected ${failure}`),
    (error: unknown) => (caught = error),
  );
  assert.equal(modelFailureOf(caught), failure, `expected ${failure}, got ${String(caught)}`);
  if (message) assert.match((caught as Error).message, message);
  return caught as Error;
}

/** A loopback port nothing listens on (connections are refused). */
export function refusedPort(): Promise<number> {
  return new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Streams from `model` (whose stub is answering slowly with many chunks), cancels after the third delta, and
 * proves the contract: Cancelled, no text after the cancel, and the stub saw the request closed early.
 */
export async function expectCancelMidStream(model: SummaryModel, lastRecord: () => ClosableRecord): Promise<void> {
  const controller = new AbortController();
  const seen: string[] = [];
  let afterCancel = 0;
  const running = model.stream(summaryRequest({ signal: controller.signal }), (delta) => {
    if (controller.signal.aborted) afterCancel++;
    seen.push(delta);
    if (seen.length === 3) controller.abort();
  });
  await expectCode(running, 'Cancelled');
  const record = lastRecord();
  await until(() => record.closed, 5000, 'the stub to see the request closed');
  assert.equal(record.closedEarly, true);
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(afterCancel, 0, 'no text after the cancel');
  assert.equal(seen.length, 3);
}

/** Streams from `model` (whose stub never answers), cancels once the request arrived: Cancelled, request closed. */
export async function expectCancelBeforeAnswer(
  model: SummaryModel,
  lastRecord: () => ClosableRecord | undefined,
): Promise<void> {
  const controller = new AbortController();
  const running = model.stream(summaryRequest({ signal: controller.signal }), () => assert.fail('no text'));
  await until(() => lastRecord()?.closed === false, 5000, 'the request to arrive');
  controller.abort();
  await expectCode(running, 'Cancelled');
  const record = lastRecord()!;
  await until(() => record.closed, 5000, 'the stub to see the request closed');
}

// One assertion for "this call fails with that FerryError code", shared by the conformance suite and the
// providers' behaviour tests; and its twin for an API call as the renderer's client sees it.
import assert from 'node:assert/strict';
import { FerryError, type ErrorCode } from '../../shared/errors';
import { ApiClientError } from '../../renderer/src/api/transport';

/** Awaits `promise`, asserts it rejects with a FerryError of `code` (and a message matching `message`), returns it. */
export async function expectCode(promise: Promise<unknown>, code: ErrorCode, message?: RegExp): Promise<FerryError> {
  let caught: unknown;
  await assert.rejects(promise, (error: unknown) => {
    caught = error;
    assert.ok(error instanceof FerryError, `expected a FerryError, got ${String(error)}`);
    assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`);
    assert.ok(error.message.length > 10, 'the message says what happened');
    if (message) assert.match(error.message, message);
    return true;
  });
  return caught as FerryError;
}

/** Awaits an API client call, asserts it rejects with an ApiClientError of `code`, returns it. */
export async function expectClientError(promise: Promise<unknown>, code: string): Promise<ApiClientError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ApiClientError, `an ApiClientError, not ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}`);
}

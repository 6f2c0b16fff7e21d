// One assertion for "this call fails with that FerryError code", shared by the conformance suite and the
// providers' behaviour tests.
import assert from 'node:assert/strict';
import { FerryError, type ErrorCode } from '../../shared/errors';

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

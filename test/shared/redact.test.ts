import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FerryError } from '../../shared/errors';
import { redact, registerSecret } from '../../shared/redact';

describe('redact', () => {
  it('masks secrets recognised by shape', () => {
    const cases: Array<[string, string]> = [
      ['ftp://bob:hunter2@example.com/x', 'hunter2'],
      ['https://a.blob.core.windows.net/c?sv=2024&sig=abc%2Bdef&se=1', 'abc%2Bdef'],
      ['DefaultEndpointsProtocol=https;AccountName=a;AccountKey=Zm9vYmFy==;EndpointSuffix=x', 'Zm9vYmFy=='],
      ['{"password":"p4ss-word"}', 'p4ss-word'],
      ['secretAccessKey=wJalrXUtnFEMI', 'wJalrXUtnFEMI'],
    ];
    for (const [text, secret] of cases) {
      const out = redact(text);
      assert.ok(!out.includes(secret), `${out} still holds ${secret}`);
    }
  });

  it('masks registered secret values of any shape, also inside FerryError messages', () => {
    registerSecret('canary-7f3a9b');
    assert.equal(redact('the value canary-7f3a9b leaked'), 'the value *** leaked');
    const error = new FerryError('AuthFailed', 'login with canary-7f3a9b failed');
    assert.ok(!error.message.includes('canary-7f3a9b'));
    assert.ok(!JSON.stringify(error).includes('canary-7f3a9b'));
  });
});

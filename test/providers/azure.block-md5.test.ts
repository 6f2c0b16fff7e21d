import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { needsBlockMd5 } from '../../main/core/providers/azure-blob/block-upload';

describe('azure-blob: per-block MD5', () => {
  it('is sent over plain HTTP (emulators, private endpoints) and left to TLS over HTTPS', () => {
    assert.equal(needsBlockMd5('http://127.0.0.1:10000/devstoreaccount1/c/b'), true);
    assert.equal(needsBlockMd5('http://storage.internal/acct/c/b'), true);
    assert.equal(needsBlockMd5('https://acct.blob.core.windows.net/c/b'), false);
    assert.equal(needsBlockMd5('HTTPS://acct.blob.core.windows.net/c/b'), false);
  });
});

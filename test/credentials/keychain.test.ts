// The keychain backend against a real Secret Service (gnome-keyring in a D-Bus session; see
// test/helpers/keyring.ts): set, get, update, delete, unicode, 200 entries, and deleting a connection's
// secrets removes every field.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { redact } from '../../shared/redact';
import { KeychainCredentialStore, openCredentialStore, type KeytarModule } from '../../main/core/credentials';
import { requireKeyring, testKeychainService } from '../helpers/keyring';

describe('keychain credential store (real Secret Service)', () => {
  let keytar: KeytarModule;
  let store: KeychainCredentialStore;
  let dataDir: string;
  const service = testKeychainService();

  before(async () => {
    keytar = await requireKeyring();
    dataDir = await mkdtemp(join(tmpdir(), 'ferry-keychain-'));
    store = new KeychainCredentialStore(keytar, service);
  });
  after(async () => {
    for (const entry of (await keytar?.findCredentials(service)) ?? [])
      await keytar.deletePassword(service, entry.account);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('openCredentialStore picks the keychain when it answers', async () => {
    const opened = await openCredentialStore({ dataDir, service });
    assert.equal(opened.backend, 'keychain');
    assert.equal(opened.persistent, true);
    assert.equal(opened.notice, undefined);
  });

  it('sets, gets, updates and deletes one secret under account "<id>:<field>"', async () => {
    const id = randomUUID();
    assert.equal(await store.get(id, 'password'), undefined);
    assert.deepEqual(await store.set(id, 'password', 'first-value-1'), { persisted: true });
    assert.equal(await store.get(id, 'password'), 'first-value-1');
    assert.equal(await keytar.getPassword(service, `${id}:password`), 'first-value-1', 'stored as service/account');
    await store.set(id, 'password', 'second-value-2');
    assert.equal(await store.get(id, 'password'), 'second-value-2');
    assert.equal(
      (await keytar.findCredentials(service)).filter((c) => c.account.startsWith(id)).length,
      1,
      'updated in place',
    );
    await store.delete(id, 'password');
    assert.equal(await store.get(id, 'password'), undefined);
    assert.equal(await keytar.getPassword(service, `${id}:password`), null);
  });

  it('keeps unicode secrets exactly and registers them for redaction', async () => {
    const id = randomUUID();
    const secret = `pä$$ wörd ✓ 秘密 🔑 "quoted" \\ ${randomUUID()}`;
    await store.set(id, 'password', secret);
    assert.equal(await store.get(id, 'password'), secret);
    assert.equal(redact(`login failed for ${secret}!`), 'login failed for ***!');
    await store.delete(id);
  });

  it("deleting a connection without a field removes all of its secrets and nobody else's", async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await store.set(a, 'secretAccessKey', 'aaaa-secret');
    await store.set(a, 'sessionToken', 'aaaa-token');
    await store.set(b, 'secretAccessKey', 'bbbb-secret');
    await store.delete(a);
    const left = (await keytar.findCredentials(service)).map((c) => c.account);
    assert.deepEqual(
      left.filter((account) => account.startsWith(a)),
      [],
    );
    assert.equal(await store.get(b, 'secretAccessKey'), 'bbbb-secret');
    await store.delete(b);
  });

  it('holds 200 entries and reads each back', async () => {
    const ids = Array.from({ length: 200 }, () => randomUUID());
    for (const [i, id] of ids.entries()) await store.set(id, 'password', `secret-${i}-${id}`);
    const found = (await keytar.findCredentials(service)).filter((c) =>
      ids.some((id) => c.account === `${id}:password`),
    );
    assert.equal(found.length, 200);
    for (const [i, id] of ids.entries()) assert.equal(await store.get(id, 'password'), `secret-${i}-${id}`);
    for (const id of ids) await store.delete(id);
    assert.equal((await keytar.findCredentials(service)).length, 0);
  });
});

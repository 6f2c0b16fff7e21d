// The connection editor's model (renderer/src/connections/connection-form.ts), without a browser: a saved
// connection survives a round trip through the form with the settings the form does not show, a cleared field
// is cleared, and a mistake is reported beside the field it is about.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connectionSpecSchema } from '../../shared/connection';
import {
  draftFromForm,
  EMPTY_FORM,
  formFromSpec,
  secretFieldsOf,
} from '../../renderer/src/connections/connection-form';

const PIN = 'ab'.repeat(32);

describe('the connection form model', () => {
  it('keeps what the form does not show (a pinned certificate) and clears what the user emptied', () => {
    const spec = connectionSpecSchema.parse({
      kind: 'ftps',
      host: 'ftp.example.com',
      user: 'me',
      tls: 'implicit',
      pinnedFingerprints: [PIN],
      timeoutMs: 45_000,
    });
    const saved = { name: 'Work', group: 'Clients/Acme', notes: 'the old notes', spec };
    const form = formFromSpec(saved, spec);
    assert.equal(form.tls, 'implicit');
    assert.equal(form.timeoutSeconds, '45');
    const { draft, errors } = draftFromForm({ ...form, group: '', notes: '', timeoutSeconds: '' }, saved);
    assert.deepEqual(errors, {});
    assert.equal(draft.group, '', 'an emptied group is sent as "" so the update clears it');
    assert.equal(draft.notes, '');
    assert.ok(draft.spec.kind === 'ftps');
    assert.deepEqual(draft.spec.kind === 'ftps' && draft.spec.pinnedFingerprints, [PIN]);
    assert.equal(
      draft.spec.kind === 'ftps' && draft.spec.timeoutMs,
      undefined,
      'an emptied timeout falls back to the default',
    );
  });

  it('makes plain FTP of TLS mode "none" and FTPS of the others', () => {
    const base = { ...EMPTY_FORM, name: 'x', host: 'h' };
    assert.equal(draftFromForm({ ...base, tls: 'none' }).draft.spec.kind, 'ftp');
    assert.equal(draftFromForm({ ...base, tls: 'explicit' }).draft.spec.kind, 'ftps');
  });

  it('reports mistakes beside their fields', () => {
    const { errors } = draftFromForm({ ...EMPTY_FORM, name: 'a:b', port: 'twenty-one', maxConnections: '99' });
    assert.match(errors.host ?? '', /host name/);
    assert.match(errors.port ?? '', /whole number/);
    assert.match(errors.name ?? '', /":"/);
    assert.ok(errors.maxConnections, 'more connections than FTP allows');
    const s3 = draftFromForm({ ...EMPTY_FORM, name: 's3', family: 's3', s3Auth: 'keys', endpoint: 'not a url' });
    assert.ok(s3.errors.accessKeyId);
    assert.ok(s3.errors.endpoint);
  });

  it('asks for the secrets the kind and sign-in method use', () => {
    assert.deepEqual(secretFieldsOf({ ...EMPTY_FORM, family: 'ftp' }), ['password']);
    assert.deepEqual(secretFieldsOf({ ...EMPTY_FORM, family: 's3', s3Auth: 'env' }), []);
    assert.deepEqual(secretFieldsOf({ ...EMPTY_FORM, family: 's3', s3Auth: 'keys' }), [
      'secretAccessKey',
      'sessionToken',
    ]);
    assert.deepEqual(secretFieldsOf({ ...EMPTY_FORM, family: 'azure-blob', azureAuth: 'sas' }), ['sasToken']);
    assert.deepEqual(secretFieldsOf({ ...EMPTY_FORM, family: 'azure-blob', azureAuth: 'entra' }), []);
  });
});

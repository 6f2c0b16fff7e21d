// Pinned FTPS certificates from the command line (issue 14, defects 2 and 3), against vsftpd with its
// default require_ssl_reuse=YES: the command FileFerry prints for an unknown certificate must work as printed
// for ls and cp, and a saved connection whose pin no longer matches must warn of an interception instead of
// offering to pin the new certificate.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestCertificate, type TestCertificate } from '../helpers/certs';
import { startVsftpd, type VsftpdHandle } from '../helpers/vsftpd';
import { expectExit, runCli, sha256, type CliEnv } from './run-cli';

describe('fileferry with a pinned certificate on vsftpd (data connections resume the TLS session)', () => {
  let server: VsftpdHandle;
  let other: TestCertificate;
  let work: string;
  let home: string;
  const suffix = randomBytes(3).toString('hex');
  const cli = (args: string[], env: CliEnv = {}) => runCli(home, args, env);

  before(async () => {
    server = await startVsftpd({ tls: 'explicit' });
    other = await createTestCertificate({ commonName: 'Pinned before' });
    work = await mkdtemp(path.join(tmpdir(), 'ferry-cli-pinning-'));
    home = path.join(work, 'home');
  });

  after(async () => {
    for (const name of [`pinned-${suffix}`, `stale-${suffix}`]) await cli(['connections', 'rm', name]).catch(() => {});
    await server?.stop();
    await other?.remove();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('lists and copies after the `connections add … --fingerprint` command it printed', async () => {
    const url = `ftps://127.0.0.1:${server.port}/pub`;
    const untrusted = await cli(['ls', url]);
    expectExit(untrusted, 1);
    const suggested = /fileferry (connections add NAME .*)$/m.exec(untrusted.stderr)?.[1] ?? '';
    assert.ok(suggested.includes(`--fingerprint ${server.certificate!.sha256Fingerprint}`), untrusted.stderr);

    const name = `pinned-${suffix}`;
    expectExit(await cli(suggested.replace('NAME', name).split(' ')), 0);
    const bytes = randomBytes(300_000);
    const local = path.join(work, 'up.bin');
    await writeFile(local, bytes);
    expectExit(await cli(['cp', local, `${name}:/pub/`]), 0);
    assert.equal(sha256(await readFile(path.join(server.root, 'pub', 'up.bin'))), sha256(bytes));
    const listed = await cli(['ls', `${name}:/pub`]);
    expectExit(listed, 0);
    assert.match(listed.stdout, /up\.bin$/m);
    const back = path.join(work, 'back.bin');
    expectExit(await cli(['cp', `${name}:/pub/up.bin`, back]), 0);
    assert.equal(sha256(await readFile(back)), sha256(bytes));
  });

  it('says a changed certificate changed, shows both fingerprints, and offers no re-pin command', async () => {
    // Saved with a pin the server's certificate does not match, as after a certificate swap or an interception.
    const name = `stale-${suffix}`;
    const add = ['connections', 'add', name, '--kind', 'ftps', '--host', '127.0.0.1', '--port', String(server.port)];
    expectExit(await cli([...add, '--tls', 'explicit', '--fingerprint', other.sha256Fingerprint]), 0);
    const local = path.join(work, 'secret.bin');
    await writeFile(local, 'secret');
    for (const args of [
      ['ls', `${name}:/pub`],
      ['cp', local, `${name}:/pub/`],
    ]) {
      const refused = await cli(args);
      expectExit(refused, 1);
      const text = refused.stderr;
      assert.match(text, /certificate of 127\.0\.0\.1:\d+ changed since it was pinned/, text);
      assert.ok(text.includes(`pinned SHA-256:    ${other.sha256Fingerprint}`), text);
      assert.ok(text.includes(`presented SHA-256: ${server.certificate!.sha256Fingerprint}`), text);
      assert.match(text, /interception/);
      assert.doesNotMatch(text, /connections add|--fingerprint|FILEFERRY_CA_FILE/, 'no one-line re-pin');
      assert.doesNotMatch(text, /is not trusted/, 'not the first-contact message');
    }
    assert.ok(!existsSync(path.join(server.root, 'pub', 'secret.bin')), 'nothing was uploaded');
  });
});

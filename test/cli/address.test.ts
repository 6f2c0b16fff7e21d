import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeAddress, parseAddress } from '../../main/cli/address';
import { FerryError } from '../../shared/errors';

const CWD = '/home/me/work';
const parse = (input: string) => parseAddress(input, CWD);
const refused = (input: string, pattern: RegExp) =>
  assert.throws(
    () => parse(input),
    (error: unknown) => error instanceof FerryError && error.code === 'InvalidInput' && pattern.test(error.message),
  );

describe('cli address parsing', () => {
  it('reads plain paths and file URLs as local, resolved against the working directory', () => {
    assert.deepEqual(parse('/tmp/a b.txt'), { kind: 'local', path: '/tmp/a b.txt' });
    assert.deepEqual(parse('docs/x.txt'), { kind: 'local', path: '/home/me/work/docs/x.txt' });
    assert.deepEqual(parse('.'), { kind: 'local', path: '/home/me/work' });
    assert.deepEqual(parse('./notes:2024.txt'), { kind: 'local', path: '/home/me/work/notes:2024.txt' });
    assert.deepEqual(parse('file:///srv/some%20folder/%C3%A9.txt'), { kind: 'local', path: '/srv/some folder/é.txt' });
    assert.deepEqual(parse('file://localhost/etc/hosts'), { kind: 'local', path: '/etc/hosts' });
  });

  it('reads ftp, ftps and ftps+implicit URLs', () => {
    assert.deepEqual(parse('ftp://me@example.com:2121/in/box'), {
      kind: 'ftp',
      spec: { kind: 'ftp', tls: 'none', host: 'example.com', user: 'me', port: 2121 },
      path: '/in/box',
      needsPassword: true,
    });
    const explicit = parse('ftps://me@example.com/');
    assert.equal(explicit.kind, 'ftp');
    assert.deepEqual(explicit.kind === 'ftp' && explicit.spec, {
      kind: 'ftps',
      tls: 'explicit',
      host: 'example.com',
      user: 'me',
    });
    const implicit = parse('ftps+implicit://me@127.0.0.1:990/x');
    assert.deepEqual(implicit.kind === 'ftp' && implicit.spec, {
      kind: 'ftps',
      tls: 'implicit',
      host: '127.0.0.1',
      user: 'me',
      port: 990,
    });
    const v6 = parse('ftp://[::1]:21/a');
    assert.deepEqual(v6.kind === 'ftp' && v6.spec, {
      kind: 'ftp',
      tls: 'none',
      host: '::1',
      user: 'anonymous',
      port: 21,
    });
  });

  it('needs no password for anonymous or user-less URLs', () => {
    for (const input of ['ftp://example.com/pub', 'ftp://anonymous@example.com/pub', 'ftp://@example.com/pub']) {
      const address = parse(input);
      assert.equal(address.kind, 'ftp');
      assert.equal(address.kind === 'ftp' && address.needsPassword, false, input);
      assert.equal(address.kind === 'ftp' && address.spec.user, 'anonymous');
    }
    const bare = parse('ftp://example.com');
    assert.equal(bare.kind === 'ftp' && bare.path, '/');
  });

  it('percent-decodes the path and the user name', () => {
    const address = parse('ftp://me%40corp.example@example.com/a%20b/%E4%B8%96%E7%95%8C%3F.txt');
    assert.equal(address.kind, 'ftp');
    assert.equal(address.kind === 'ftp' && address.spec.user, 'me@corp.example');
    assert.equal(address.path, '/a b/世界?.txt');
    // An unencoded "@" in the user part still works: the last "@" ends it.
    const unencoded = parse('ftp://me@corp.example@example.com/x');
    assert.equal(unencoded.kind === 'ftp' && unencoded.spec.user, 'me@corp.example');
    assert.equal(unencoded.kind === 'ftp' && unencoded.spec.host, 'example.com');
  });

  it('refuses a password in the URL, pointing at FILEFERRY_PASSWORD, without repeating it', () => {
    for (const input of [
      'ftp://me:hunter2secret@example.com/x',
      'ftps://me:@example.com/',
      'ftps+implicit://a:b%20c@h/',
    ]) {
      assert.throws(
        () => parse(input),
        (error: unknown) =>
          error instanceof FerryError &&
          error.code === 'InvalidInput' &&
          error.message.includes('FILEFERRY_PASSWORD') &&
          !error.message.includes('hunter2secret') &&
          !error.message.includes('b%20c'),
      );
    }
  });

  it('refuses CR, LF and NUL anywhere, encoded or not', () => {
    refused('ftp://example.com/a%0Ab', /line break or NUL/);
    refused('ftp://example.com/a%0D%0ADELE%20x', /line break or NUL/);
    refused('ftp://me%0A@example.com/', /line break or NUL/);
    refused('ftp://example.com/a%00', /line break or NUL/);
    refused('file:///tmp/a%0Ab', /line break or NUL/);
    refused('/tmp/a\nb', /line break or NUL/);
    refused('site:/a\r\nb', /line break or NUL/);
  });

  it('refuses malformed URLs with a message saying what is wrong', () => {
    refused('ftp://example.com:99999/', /port/);
    refused('ftp://example.com:12ab/', /host/);
    refused('ftp:///path', /host/);
    refused('ftp://example.com/%E0%A4%A', /percent-escape/);
    refused('http://example.com/', /not supported/);
    refused('file://otherhost/x', /this computer/);
    refused('', /empty/);
  });

  it('reads NAME:path as a saved connection, but not drive letters or paths with slashes', () => {
    assert.deepEqual(parse('work:/incoming/a.txt'), { kind: 'saved', name: 'work', path: '/incoming/a.txt' });
    assert.deepEqual(parse('My Site:docs'), { kind: 'saved', name: 'My Site', path: '/docs' });
    assert.deepEqual(parse('work:'), { kind: 'saved', name: 'work', path: '/' });
    assert.equal(parse('C:\\Users\\me').kind, 'local');
    assert.equal(parse('c:/Users/me').kind, 'local');
    assert.equal(parse('dir/name:x').kind, 'local');
  });

  it('reads s3:// and az:// addresses', () => {
    assert.deepEqual(parse('s3://my-bucket/photos/2024/a.jpg'), {
      kind: 's3',
      bucket: 'my-bucket',
      path: '/photos/2024/a.jpg',
    });
    assert.deepEqual(parse('s3://my-bucket'), { kind: 's3', bucket: 'my-bucket', path: '/' });
    assert.deepEqual(parse('az://acct/container/a/b%20c.txt'), {
      kind: 'azure-blob',
      account: 'acct',
      container: 'container',
      path: '/a/b c.txt',
    });
    assert.deepEqual(parse('s3://'), { kind: 's3', bucket: '', path: '/' });
    assert.deepEqual(parse('az://acct'), { kind: 'azure-blob', account: 'acct', container: '', path: '/' });
    refused('az://', /expected az:\/\/account\/container\/path/);
  });

  it('describes addresses without secrets, round-tripping through the parser', () => {
    for (const input of ['ftp://me@example.com:2121/in', 'ftps+implicit://me@example.com/x', 'ftp://[::1]/a']) {
      const address = parse(input);
      assert.deepEqual(parse(describeAddress(address)), address);
    }
    assert.equal(describeAddress(parse('ftp://example.com/pub')), 'ftp://example.com/pub');
    for (const input of [
      's3://',
      's3://bucket/',
      's3://bucket/a/b.txt',
      'az://acct',
      'az://acct/cont/',
      'az://acct/cont/x',
    ]) {
      assert.equal(describeAddress(parse(input)), input);
    }
  });
});

// Redaction by shape (shared/redact) and the log file: JSON lines, redacted twice, rotated by size.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FerryError } from '../../shared/errors';
import { redact, registerSecret } from '../../shared/redact';
import { createFileLog, installFileLog } from '../../main/core/log/file-sink';
import { createLogger, redactFields } from '../../main/core/log/logger';

const AZURE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

describe('redact()', () => {
  const cases: Array<[string, string]> = [
    ['ftp://bob:hunter2@example.com/x', 'ftp://bob:***@example.com/x'],
    [
      'https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sp=r&sig=abc%2Fdef%3D',
      'https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sp=r&sig=***',
    ],
    ['token sv=2022-11-02&ss=b&sig=XYZ123', 'token sv=2022-11-02&ss=b&sig=***'],
    ['sig=XYZ123&sv=1', 'sig=***&sv=1'],
    [
      'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=c2VjcmV0;EndpointSuffix=core.windows.net',
      'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=***;EndpointSuffix=core.windows.net',
    ],
    [
      'AccountEndpoint=https://x.documents.azure.com:443/;AccountKey=abc==;',
      'AccountEndpoint=https://x.documents.azure.com:443/;AccountKey=***;',
    ],
    ['Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc', 'Authorization: Bearer ***'],
    [
      'AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0123456789abcdef0123456789abcdef',
      'AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=***',
    ],
    ['> PASS s3cret!', '> PASS ***'],
    ['{"user":"bob","password":"p4ss"}', '{"user":"bob","password":"***"}'],
    ['pass = obscuredvalue', 'pass = ***'],
    ['aws_secret_access_key = wJalrXUtnFEMI/K7MDENG', 'aws_secret_access_key = ***'],
    ['"sessionToken":"FwoGZXIvYXdz"', '"sessionToken":"***"'],
    ['"connectionString":"DefaultEndpointsProtocol=https;AccountKey=zz"', '"connectionString":"***;AccountKey=***"'],
    [`key ${AZURE_KEY} end`, 'key *** end'],
    ['X-Amz-Security-Token=IQoJb3JpZ2lu&X-Amz-Signature=abcd', 'X-Amz-Security-Token=***&X-Amz-Signature=***'],
  ];
  for (const [input, expected] of cases) {
    it(`masks ${input.slice(0, 40)}`, () => assert.equal(redact(input), expected));
  }

  it('leaves ordinary text alone', () => {
    for (const text of [
      'Basic auth failed',
      'bypass=1 compass',
      'sha256 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
      '/home/bob/photos/2026/IMG_0001.jpg',
      'The FTP server 127.0.0.1:2121 rejected the login. Check the user name and password.',
      '{"secretFields":["password"],"missingSecrets":["accountKey"]}',
    ]) {
      assert.equal(redact(text), text);
    }
  });

  it('masks registered secrets of any shape, and FerryError messages go through it', () => {
    registerSecret('plain words nobody would guess');
    assert.equal(redact('x plain words nobody would guess y'), 'x *** y');
    assert.equal(
      new FerryError('AuthFailed', 'login with plain words nobody would guess failed').message,
      'login with *** failed',
    );
    registerSecret('abc'); // too short to register: would mask ordinary text
    assert.equal(redact('abc'), 'abc');
  });
});

describe('file log', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('writes one redacted JSON object per line through the installed sink', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-log-'));
    dirs.push(dir);
    const file = installFileLog({ dir: join(dir, 'logs'), level: 'info' });
    const log = createLogger({ module: 'test' });
    log.debug('dropped below the level');
    log.info('uploaded', { bytes: 5, url: 'https://a.blob.core.windows.net/c?sig=SIGSECRET' });
    log.warn('odd field', { password: 'field-secret-1', nested: { apiKey: 'nested-secret-2' } });
    log.error('failed', { error: new FerryError('AuthFailed', 'PASS wire-secret-3 refused') });
    file.close();
    log.info('after close: dropped');
    const lines = (await readFile(file.file, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(
      lines.map((l) => [l.level, l.msg]),
      [
        ['info', 'uploaded'],
        ['warn', 'odd field'],
        ['error', 'failed'],
      ],
    );
    assert.equal(lines[0]!.module, 'test');
    assert.equal(lines[0]!.bytes, 5);
    assert.match(String(lines[0]!.time), /^\d{4}-\d\d-\d\dT/);
    const text = await readFile(file.file, 'utf8');
    for (const secret of ['SIGSECRET', 'field-secret-1', 'nested-secret-2', 'wire-secret-3'])
      assert.ok(!text.includes(secret), secret);
  });

  it("keeps an error's cause chain (name, code, message), redacted", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-log-cause-'));
    dirs.push(dir);
    const file = installFileLog({ dir, level: 'info' });
    const socket = Object.assign(new Error('read ECONNRESET after PASS cause-secret-4'), { code: 'ECONNRESET' });
    const library = new Error('Client is closed because read ECONNRESET', { cause: socket });
    const error = new FerryError('Network', 'The connection to 127.0.0.1:21 was lost.', { cause: library });
    createLogger().warn('copy failed', { error });
    file.close();
    const text = await readFile(file.file, 'utf8');
    assert.ok(!text.includes('cause-secret-4'), 'a secret in a cause is redacted');
    const logged = (JSON.parse(text.trim()) as { error: Record<string, unknown> }).error;
    assert.deepEqual(logged, {
      name: 'FerryError(Network)',
      code: 'Network',
      message: 'The connection to 127.0.0.1:21 was lost.',
      cause: {
        name: 'Error',
        message: 'Client is closed because read ECONNRESET',
        cause: { name: 'Error', code: 'ECONNRESET', message: 'read ECONNRESET after PASS ***' },
      },
    });
  });

  it('bounds the cause chain, even a cyclic one, and logs a non-Error cause as redacted text', () => {
    const cyclic = new Error('loops');
    cyclic.cause = cyclic;
    let depth = 0;
    for (let at = redactFields({ e: cyclic }).e as { cause?: unknown }; typeof at.cause === 'object'; depth++)
      at = at.cause as { cause?: unknown };
    // Some causes kept, and a cycle does not run away (the logger keeps five).
    assert.ok(depth >= 3 && depth <= 8, `${depth} causes logged`);

    const reply = new Error('login failed', { cause: { reply: '530 denied', password: 'obj-secret-5' } });
    const logged = redactFields({ reply }).reply as { cause: unknown };
    assert.equal(logged.cause, '{"reply":"530 denied","password":"***"}');
  });

  it('rotates by size and keeps a fixed number of old files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-log-rotate-'));
    dirs.push(dir);
    const file = createFileLog({ dir, maxBytes: 2000, maxFiles: 3 });
    for (let i = 0; i < 200; i++) file.sink('info', `line ${i} ${'x'.repeat(50)}`, {});
    file.close();
    assert.deepEqual((await readdir(dir)).sort(), [
      'fileferry.log',
      'fileferry.log.1',
      'fileferry.log.2',
      'fileferry.log.3',
    ]);
    for (const name of await readdir(dir)) {
      const text = await readFile(join(dir, name), 'utf8');
      assert.ok(Buffer.byteLength(text) <= 2000, `${name} is ${text.length} bytes`);
      for (const line of text.trim().split('\n')) JSON.parse(line);
    }
    assert.match(
      await readFile(join(dir, 'fileferry.log'), 'utf8'),
      /line 199 /,
      'the newest line is in the current file',
    );
  });
});

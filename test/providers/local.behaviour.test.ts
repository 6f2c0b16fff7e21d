import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FerryError } from '../../shared/errors';
import type { Provider } from '../../shared/provider';
import { openProvider } from '../../main/core/providers';

describe('local provider: special files', () => {
  let folder: string;
  let provider: Provider;
  before(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'ff-local-special-'));
    provider = await openProvider({ kind: 'local', root: folder });
  });
  after(() => rm(folder, { recursive: true, force: true }));

  it('refuses to read a FIFO or a socket instead of hanging, and lists them', async () => {
    execFileSync('mkfifo', [path.join(folder, 'pipe')]);
    const server = createServer().listen(path.join(folder, 'sock'));
    await new Promise((resolve) => server.once('listening', resolve));
    await writeFile(path.join(folder, 'plain.txt'), 'x');
    try {
      const names: string[] = [];
      for await (const page of provider.list('/')) names.push(...page.map((e) => e.name));
      assert.deepEqual(names.sort(), ['pipe', 'plain.txt', 'sock']);
      for (const name of ['/pipe', '/sock']) {
        await assert.rejects(
          provider.read(name),
          (e: unknown) => e instanceof FerryError && e.code === 'InvalidInput' && /special file/.test(e.message),
        );
      }
    } finally {
      server.close();
    }
  });
});

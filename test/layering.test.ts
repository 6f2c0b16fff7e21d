// The layering lint rule (eslint.config.js) must bite: each case lints code as if it lived at a path in the
// tree (ESLint's lintText with a virtual filePath, so nothing is written into the repository).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ESLint } from 'eslint';

const ROOT = path.resolve(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: ROOT });

async function layeringErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  assert.ok(result, 'ESLint returned no result');
  return result.messages.filter((m) => m.ruleId === 'ferry/layering').map((m) => m.message);
}

describe('layering lint rule', () => {
  it('rejects electron in main/core', async () => {
    const errors = await layeringErrors(
      'main/core/probe.ts',
      "import { app } from 'electron';\nexport const a = app;\n",
    );
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /main\/core runs without Electron/);
  });

  it('rejects main/core importing the shell, server or CLI (static and dynamic imports)', async () => {
    const errors = await layeringErrors(
      'main/core/transfers/probe.ts',
      "import { x } from '../../electron/index';\nexport { y } from '../../cli/index';\nexport const z = () => import('../../server/index');\nexport const w = x;\n",
    );
    assert.equal(errors.length, 3);
  });

  it('keeps web mode and the command line free of electron, the shell and the renderer', async () => {
    for (const file of ['main/server/probe.ts', 'main/cli/commands/probe.ts']) {
      const up = file.startsWith('main/cli/commands') ? '../../' : '../';
      const errors = await layeringErrors(
        file,
        `import { app } from 'electron';\nimport { x } from '${up}electron/index';\nimport '${up}../renderer/src/main';\nexport const a = [app, x];\n`,
      );
      assert.equal(errors.length, 3, `${file}: ${errors.join('; ')}`);
      assert.match(errors[0]!, /runs in plain Node/);
    }
  });

  it('keeps shared/ pure: zod and shared files only', async () => {
    const ok = await layeringErrors(
      'shared/probe.ts',
      "import { z } from 'zod';\nimport { FerryError } from './errors';\nexport const a = [z, FerryError];\n",
    );
    assert.deepEqual(ok, []);
    const bad = await layeringErrors(
      'shared/probe.ts',
      "import fs from 'node:fs';\nimport path from 'path';\nimport { createLogger } from '../main/core/log/logger';\nimport pino from 'pino';\nexport const a = [fs, path, createLogger, pino];\n",
    );
    assert.equal(bad.length, 4);
  });

  it('keeps the renderer away from node, electron, main and preload', async () => {
    const bad = await layeringErrors(
      'renderer/src/probe.ts',
      "import fs from 'node:fs';\nimport { ipcRenderer } from 'electron';\nimport { openProvider } from '../../main/core/providers';\nimport '../../preload/index';\nexport const a = [fs, ipcRenderer, openProvider];\n",
    );
    assert.equal(bad.length, 4);
    const ok = await layeringErrors(
      'renderer/src/probe.ts',
      "import { useState } from 'react';\nimport { API_VERSION } from '../../shared/api';\nexport const a = [useState, API_VERSION];\n",
    );
    assert.deepEqual(ok, []);
  });

  it('lets preload import only electron and shared', async () => {
    const ok = await layeringErrors(
      'preload/probe.ts',
      "import { ipcRenderer } from 'electron';\nimport { API_CHANNELS } from '../shared/api';\nexport const a = [ipcRenderer, API_CHANNELS];\n",
    );
    assert.deepEqual(ok, []);
    const bad = await layeringErrors(
      'preload/probe.ts',
      "import fs from 'node:fs';\nimport { dataDir } from '../main/core/app-paths';\nexport const a = [fs, dataDir];\n",
    );
    assert.equal(bad.length, 2);
  });

  it('passes on the whole tree as it is', async () => {
    const results = await eslint.lintFiles(['main', 'shared', 'preload', 'renderer']);
    const layering = results.flatMap((r) =>
      r.messages
        .filter((m) => m.ruleId === 'ferry/layering')
        .map((m) => `${path.relative(ROOT, r.filePath)}:${m.line} ${m.message}`),
    );
    assert.deepEqual(layering, []);
  });
});

// main/core/app-paths.ts: the data folder Electron's userData would be, per platform, or FILEFERRY_HOME.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { dataDir, defaultDataDir, logDir } from '../../main/core/app-paths';
import { removeDirs, tempDir } from './fixtures';

describe('app paths', () => {
  const dirs: string[] = [];
  after(() => removeDirs(...dirs));

  it('follows each platform’s convention', () => {
    assert.equal(defaultDataDir({}, 'linux', '/home/ann'), '/home/ann/.config/FileFerry');
    assert.equal(defaultDataDir({ XDG_CONFIG_HOME: '/xdg' }, 'linux', '/home/ann'), '/xdg/FileFerry');
    assert.equal(defaultDataDir({}, 'darwin', '/Users/ann'), '/Users/ann/Library/Application Support/FileFerry');
    assert.equal(
      defaultDataDir({ APPDATA: 'C:/Users/ann/AppData/Roaming' }, 'win32', 'C:/Users/ann'),
      join('C:/Users/ann/AppData/Roaming', 'FileFerry'),
    );
    assert.equal(defaultDataDir({ FILEFERRY_HOME: '/portable' }, 'darwin', '/Users/ann'), '/portable');
  });

  it('creates the data and log folders on demand under FILEFERRY_HOME', async () => {
    const base = await tempDir();
    dirs.push(base);
    const saved = process.env.FILEFERRY_HOME;
    process.env.FILEFERRY_HOME = join(base, 'home');
    try {
      assert.equal(dataDir(), join(base, 'home'));
      assert.equal(logDir(), join(base, 'home', 'logs'));
      assert.ok((await stat(join(base, 'home', 'logs'))).isDirectory());
    } finally {
      if (saved === undefined) delete process.env.FILEFERRY_HOME;
      else process.env.FILEFERRY_HOME = saved;
    }
  });
});

// Where FileFerry keeps its data (queue, settings, history) and logs. The same folder Electron's
// app.getPath('userData') gives an app named FileFerry, so the CLI, the web server and the desktop app
// share one queue — computed here without importing Electron. FILEFERRY_HOME overrides it (tests, portable use).
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const APP_NAME = 'FileFerry';

export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home = homedir(),
): string {
  if (env.FILEFERRY_HOME) return env.FILEFERRY_HOME;
  switch (platform) {
    case 'win32':
      return join(env.APPDATA || join(home, 'AppData', 'Roaming'), APP_NAME);
    case 'darwin':
      return join(home, 'Library', 'Application Support', APP_NAME);
    default:
      return join(env.XDG_CONFIG_HOME || join(home, '.config'), APP_NAME);
  }
}

/** The data folder, created (owner-only) if missing. */
export function dataDir(): string {
  const dir = defaultDataDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** `${dataDir}/logs`, created if missing. */
export function logDir(): string {
  const dir = join(dataDir(), 'logs');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

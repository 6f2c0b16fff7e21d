#!/usr/bin/env node
// `npm start`: build the app, then launch the desktop window. Where Electron cannot start (no binary and no
// way to download one, no display), fall back: web mode will serve the same UI to a browser once it exists;
// until then the CLI is how FileFerry is used, so its help is shown.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const say = (line) => process.stderr.write(`[start] ${line}\n`);

const build = spawnSync('npx', ['electron-vite', 'build', '--logLevel', 'warn'], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
});
if (build.status !== 0) {
  say('the build failed (see above).');
  process.exit(build.status ?? 1);
}

/** The Electron binary's path, or why there is none. Electron 45 downloads its binary on first use. */
function electronBinary() {
  const electronDir = path.dirname(require.resolve('electron/package.json'));
  const download = spawnSync(process.execPath, [path.join(electronDir, 'install.js')], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (download.status !== 0) {
    const reason = `${download.stderr ?? ''}`.split('\n').find((line) => /error|failed/i.test(line));
    return {
      why: `the Electron binary is missing and could not be downloaded (${reason?.trim() ?? 'no reason given'})`,
    };
  }
  try {
    return { path: require('electron') };
  } catch (error) {
    return { why: error instanceof Error ? error.message.split('\n')[0] : String(error) };
  }
}

function launchElectron() {
  const binary = electronBinary();
  if (!binary.path) return binary.why;
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return 'no display is available (DISPLAY and WAYLAND_DISPLAY are unset)';
  }
  const run = spawnSync(binary.path, ['.'], { cwd: ROOT, stdio: 'inherit' });
  if (run.error) return run.error.message;
  if (run.status !== 0 && run.status !== null) return `Electron exited with code ${run.status}`;
  process.exit(run.status ?? 0);
}

const why = launchElectron();
say(`the desktop window cannot start here: ${why}.`);
say('Web mode (the same UI in a browser) is not built yet; use the fileferry command meanwhile:');
const help = spawnSync(process.execPath, [path.join(ROOT, 'main/cli/fileferry.mjs'), '--help'], { stdio: 'inherit' });
process.exit(help.status ?? 0);

#!/usr/bin/env node
// `npm start`: build the app, then launch the desktop window. Where Electron cannot start (no binary and no
// way to download one, no display), say why in one line and start web mode instead: the same UI in a browser,
// at the address `fileferry serve` prints on a line of its own. `npm run web` (`start.mjs --web [serve
// options]`) builds and starts web mode directly. Web mode runs until Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
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

/** Runs `fileferry serve` until it ends; a signal to this process (Ctrl-C, kill) is passed on to it. */
function startWebMode(args) {
  const serve = spawn(process.execPath, [path.join(ROOT, 'main/cli/fileferry.mjs'), 'serve', ...args], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  // A terminal's Ctrl-C reaches both processes; serve ignores the second one while it stops.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => serve.kill(signal));
  serve.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const [mode, ...serveArgs] = process.argv.slice(2);
if (mode === '--web') startWebMode(serveArgs);
else {
  const why = launchElectron();
  say(`the desktop window cannot start here: ${why}; starting web mode (the same app in a browser) instead.`);
  startWebMode([]);
}

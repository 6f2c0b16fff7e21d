#!/usr/bin/env node
// `npm test`: everything a fresh machine needs to prove FileFerry works, in order —
//   1. system packages the tests use (vsftpd, pyftpdlib, gnome-keyring, dbus, chromium, libsecret, rclone), installed
//      when root;
//   2. keytar built against libsecret (it is an optional dependency, so `npm ci` may have skipped it), and
//      Node 22 from the npm registry (Electron's Node major) for the tests of what only that runtime runs;
//   3. lint, type-check and the electron-vite build;
//   4. every test/**/*.test.ts with node's test runner, inside a throwaway D-Bus session with an unlocked
//      gnome-keyring (so keychain tests use a real Secret Service and never the user's own keyring);
//   5. a closing line "N passed, N failed" (a failed lint, type-check or build counts as one failure each),
//      and a non-zero exit on any failure.
// `npm test -- test/a.test.ts test/b.test.ts` runs just those files (steps 1, 2 and 4).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
// python3-pyftpdlib (+ python3-openssl for its FTPS, which the package does not pull in): a third FTP server.
const APT_PACKAGES = [
  'libsecret-1-dev',
  'gnome-keyring',
  'dbus-x11',
  'libsecret-tools',
  'chromium',
  'vsftpd',
  'python3-pyftpdlib',
  'python3-openssl',
  // rclone: the peer whose metadata conventions (mtime, md5chksum) FileFerry keeps on S3 and Azure.
  'rclone',
];
const START = Date.now();

const say = (line) => process.stdout.write(`[test] ${line}\n`);
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)}s`;

function finish(passed, failed, why) {
  if (why) say(why);
  say(`finished in ${seconds(START)}`);
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  process.exit(failed > 0 || why ? 1 : 0);
}

function commandExists(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

function missingSystemDeps() {
  const missing = ['vsftpd', 'gnome-keyring-daemon', 'dbus-run-session', 'chromium', 'rclone'].filter(
    (name) => !commandExists(name) && !existsSync(`/usr/sbin/${name}`),
  );
  if (spawnSync('pkg-config', ['--exists', 'libsecret-1'], { stdio: 'ignore' }).status !== 0)
    missing.push('libsecret-1');
  // Debian's interpreter by path, as test/helpers/pyftpdlib.ts runs it: a pyenv or virtualenv python3 on
  // PATH would not see Debian's modules.
  for (const module of ['pyftpdlib', 'OpenSSL']) {
    if (spawnSync('/usr/bin/python3', ['-c', `import ${module}`], { stdio: 'ignore' }).status !== 0)
      missing.push(`python3 module ${module}`);
  }
  return missing;
}

/** Runs a command quietly; prints its output only when it fails. */
function step(label, command, args, options = {}) {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.status === 0) {
    say(`${label}: ok (${seconds(started)})`);
    return true;
  }
  process.stdout.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
  say(`${label}: FAILED (exit ${result.status ?? result.signal})`);
  return false;
}

function ensureSystemDeps() {
  let missing = missingSystemDeps();
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    finish(
      0,
      1,
      `missing system dependencies: ${missing.join(', ')}. Install them with:\n  sudo apt-get update && sudo apt-get install -y ${APT_PACKAGES.join(' ')}`,
    );
  }
  say(`installing system packages (missing: ${missing.join(', ')})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (
    !step('apt-get update', 'apt-get', ['update'], { env }) ||
    !step('apt-get install', 'apt-get', ['install', '-y', ...APT_PACKAGES], { env })
  ) {
    finish(0, 1, `could not install ${APT_PACKAGES.join(' ')}`);
  }
  missing = missingSystemDeps();
  if (missing.length > 0) finish(0, 1, `still missing after apt-get install: ${missing.join(', ')}`);
}

const keytarLoads = () =>
  spawnSync(process.execPath, ['-e', "require('keytar')"], { cwd: ROOT, stdio: 'ignore' }).status === 0;

function ensureKeytar() {
  if (keytarLoads()) return;
  // keytar is optional: on a machine without libsecret `npm ci` skips it (or leaves it unbuilt).
  if (existsSync(path.join(ROOT, 'node_modules/keytar/package.json')))
    step('npm rebuild keytar', 'npm', ['rebuild', 'keytar']);
  if (!keytarLoads()) {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const version = pkg.optionalDependencies?.keytar ?? pkg.dependencies?.keytar;
    step('npm install keytar', 'npm', ['install', '--no-save', `keytar@${version}`]);
  }
  if (!keytarLoads()) finish(0, 1, 'keytar does not load even after a rebuild; is libsecret-1-dev installed?');
}

/**
 * The Electron app runs on Electron's Node (22 for Electron 45), where SQLite is the built-in node:sqlite; here
 * the tests run on Node 20, where it is better-sqlite3. Node 22 from the npm registry, in .tmp/node22, lets the
 * tests run what the app's runtime runs (test/history/node-sqlite.test.ts). Its path goes to the tests in
 * FILEFERRY_TEST_NODE22.
 */
const NODE22_VERSION = '22.23.3';
const NODE22_DIR = path.join(ROOT, '.tmp', 'node22');
const NODE22 = path.join(NODE22_DIR, 'node_modules', '.bin', 'node');

function ensureNode22() {
  const version = () => spawnSync(NODE22, ['--version'], { encoding: 'utf8' }).stdout?.trim();
  if (existsSync(NODE22) && version() === `v${NODE22_VERSION}`) return;
  // A folder of its own (never the project's node_modules), whose package.json lets the package's preinstall
  // fetch the binary (npm 11 warns about install scripts a project has not allowed).
  rmSync(NODE22_DIR, { recursive: true, force: true });
  mkdirSync(NODE22_DIR, { recursive: true });
  writeFileSync(path.join(NODE22_DIR, 'package.json'), JSON.stringify({ private: true, allowScripts: { node: true } }));
  step(`npm install node@${NODE22_VERSION} (Electron's Node major, for node:sqlite)`, 'npm', [
    'install',
    '--prefix',
    NODE22_DIR,
    '--no-save',
    '--no-audit',
    '--no-fund',
    `node@${NODE22_VERSION}`,
  ]);
  if (version() !== `v${NODE22_VERSION}`) {
    finish(
      0,
      1,
      `Node ${NODE22_VERSION} could not be installed into ${NODE22_DIR} (npm install node@${NODE22_VERSION}).`,
    );
  }
}

function findTests(folder) {
  const found = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) found.push(...findTests(full));
    else if (entry.name.endsWith('.test.ts')) found.push(path.relative(ROOT, full));
  }
  return found.sort();
}

/** Counts from node's spec reporter summary ("ℹ pass 12", "ℹ fail 1", "ℹ cancelled 0"). */
function summaryCount(output, name) {
  const matches = [...output.matchAll(new RegExp(`^\\S*\\s*${name} (\\d+)\\s*$`, 'gm'))];
  return matches.length ? Number(matches[matches.length - 1][1]) : undefined;
}

function runTests(files, failedSteps) {
  const home = mkdtempSync(path.join(tmpdir(), 'fileferry-test-home-'));
  const dataHome = mkdtempSync(path.join(tmpdir(), 'fileferry-test-data-'));
  const env = {
    ...process.env,
    HOME: home,
    FILEFERRY_HOME: dataHome,
    ELECTRON_SKIP_BINARY_DOWNLOAD: '1',
    FILEFERRY_TEST_NODE22: NODE22,
  };
  delete env.FILEFERRY_PASSWORD;
  const nodeArgs = [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    '--test-timeout=600000',
    // A file whose tests all finished but which leaks a handle (a socket, a timer) would otherwise keep the
    // run waiting for the timeout above.
    '--test-force-exit',
    '--test-reporter=spec',
    ...files,
  ];
  // A throwaway session bus with an unlocked keyring; "$@" is node and its arguments.
  const script = 'printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec "$@"';
  say(`running ${files.length} test file(s)`);
  const child = spawn('dbus-run-session', ['--', 'sh', '-c', script, 'sh', process.execPath, ...nodeArgs], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    output = (output + chunk.toString()).slice(-20000);
  });
  // dbus-run-session warns about its file-descriptor limit on every start; that line is noise.
  child.stderr.on('data', (chunk) => {
    const text = chunk.toString().replace(/^.*dbus-daemon.*fd limit.*\n?/gim, '');
    if (text) process.stderr.write(text);
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('close', (code, signal) => {
    rmSync(home, { recursive: true, force: true });
    rmSync(dataHome, { recursive: true, force: true });
    const passed = summaryCount(output, 'pass') ?? 0;
    let failed = (summaryCount(output, 'fail') ?? 0) + (summaryCount(output, 'cancelled') ?? 0);
    if (code !== 0) failed = Math.max(1, failed);
    const problems = [];
    // A skipped test is a failure in disguise: it proves nothing, so it counts against the run.
    const unproven = (summaryCount(output, 'skipped') ?? 0) + (summaryCount(output, 'todo') ?? 0);
    if (unproven > 0) {
      failed += unproven;
      problems.push(`${unproven} test(s) skipped or left as todo`);
    }
    if (summaryCount(output, 'pass') === undefined)
      problems.push(`the test runner ended without a summary (exit ${code ?? signal})`);
    if (failedSteps.length > 0) problems.push(`failed before the tests: ${failedSteps.join(', ')}`);
    finish(passed, failed + failedSteps.length, problems.join('; ') || undefined);
  });
}

const requested = process.argv.slice(2);
ensureSystemDeps();
ensureKeytar();
ensureNode22();
// Lint, type-check and build failures are counted but do not stop the tests: both results are worth seeing.
const failedSteps = [];
if (requested.length === 0) {
  const env = { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' };
  for (const name of ['lint', 'typecheck', 'build']) {
    if (!step(name, 'npm', ['run', '--silent', name], { env })) failedSteps.push(name);
  }
}
const files = requested.length > 0 ? requested : findTests(path.join(ROOT, 'test'));
if (files.length === 0) finish(0, 1, 'no test files found');
runTests(files, failedSteps);

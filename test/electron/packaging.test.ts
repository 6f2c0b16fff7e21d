// The packaging smoke test: the app built with electron-vite into a folder of its own, then packaged by
// electron-builder (`--linux dir`) offline, with electron-builder.yml, against a placeholder Electron folder (no
// Electron binary can be downloaded here; see the toolchain note). The placeholder carries Electron's fuse wire,
// so electron-builder flips the fuses in it as it would in the real binary. Checks: app.asar holds the built
// bundles, the native modules sit unpacked beside it, the fuses are set as configured, the sandboxed preload
// needs nothing but electron, and the configuration names every target, its icons and the macOS entitlements.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, copyFile, mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { removeDirs, tempDir } from '../transfers/fixtures';

const ROOT = join(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
const asar = require('@electron/asar') as {
  listPackage(archive: string, options: { isPack: boolean }): string[];
  extractFile(archive: string, file: string): Buffer;
};
const yaml = require('js-yaml') as { load(text: string): unknown };

/** @electron/fuses' sentinel; the wire follows it: version 1, the fuse count, one byte per fuse ('0'/'1'). */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** Electron's own defaults, in wire order (see @electron/fuses' FuseV1Options). */
const ELECTRON_DEFAULT_FUSES = '10110001';
const FUSE_ORDER = [
  'runAsNode',
  'enableCookieEncryption',
  'enableNodeOptionsEnvironmentVariable',
  'enableNodeCliInspectArguments',
  'enableEmbeddedAsarIntegrityValidation',
  'onlyLoadAppFromAsar',
  'loadBrowserProcessSpecificV8Snapshot',
  'grantFileProtocolExtraPrivileges',
] as const;
const REQUIRED_FUSES = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  onlyLoadAppFromAsar: true,
  enableEmbeddedAsarIntegrityValidation: true,
  enableCookieEncryption: true,
};

async function run(command: string, args: string[], cwd: string): Promise<string> {
  const child = spawn(process.execPath, [command, ...args], {
    cwd,
    env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', CSC_IDENTITY_AUTO_DISCOVERY: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, `${command} ${args.join(' ')}\n${output.slice(-4000)}`);
  return output;
}

/** A package's command-line script, from its package.json "bin" (its "exports" may not list it). */
async function binOf(name: string): Promise<string> {
  const manifest = require.resolve(`${name}/package.json`);
  const { bin } = JSON.parse(await readFile(manifest, 'utf8')) as { bin: string | Record<string, string> };
  return join(dirname(manifest), typeof bin === 'string' ? bin : bin[name]!);
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

describe('packaging (electron-builder --linux dir, offline)', () => {
  let work: string;
  let config: Record<string, unknown>;
  let resources: string;
  let executable: string;
  let files: Set<string>;

  before(async () => {
    work = await tempDir('ferry-pack-');
    const project = join(work, 'project');
    // The app's own build, in a folder of its own: the checkout's out/ may be in use by other tests.
    await run(await binOf('electron-vite'), ['build', '--outDir', join(project, 'out'), '--logLevel', 'warn'], ROOT);
    await copyFile(join(ROOT, 'package.json'), join(project, 'package.json'));
    await symlink(join(ROOT, 'node_modules'), join(project, 'node_modules'), 'dir');
    await symlink(join(ROOT, 'build'), join(project, 'build'), 'dir');

    const electronDist = join(work, 'electron');
    await mkdir(join(electronDist, 'resources'), { recursive: true });
    await writeFile(
      join(electronDist, 'electron'),
      Buffer.concat([
        Buffer.from(`#!/bin/sh\n# A placeholder for Electron's binary, with its fuse wire: ${FUSE_SENTINEL}`),
        Buffer.from([1, FUSE_ORDER.length]),
        Buffer.from(`${ELECTRON_DEFAULT_FUSES}\necho "not Electron" >&2\nexit 1\n`),
      ]),
    );
    await chmod(join(electronDist, 'electron'), 0o755);

    const electronVersion = (
      JSON.parse(await readFile(require.resolve('electron/package.json'), 'utf8')) as { version: string }
    ).version;
    const output = join(work, 'dist');
    await run(
      await binOf('electron-builder'),
      [
        '--projectDir',
        project,
        '--config',
        join(ROOT, 'electron-builder.yml'),
        '--linux',
        'dir',
        `-c.electronDist=${electronDist}`,
        `-c.electronVersion=${electronVersion}`,
        // The natives are already built for this machine's Node; a rebuild would compile against Node's headers
        // anyway, not Electron's (see the toolchain note), so it proves nothing here.
        '-c.npmRebuild=false',
        `-c.directories.output=${output}`,
      ],
      project,
    );
    config = yaml.load(await readFile(join(ROOT, 'electron-builder.yml'), 'utf8')) as Record<string, unknown>;
    resources = join(output, 'linux-unpacked', 'resources');
    executable = join(
      output,
      'linux-unpacked',
      String((config['linux'] as { executableName?: string }).executableName ?? 'fileferry'),
    );
    files = new Set(
      asar.listPackage(join(resources, 'app.asar'), { isPack: false }).map((f) => f.replaceAll('\\', '/')),
    );
  });
  after(() => removeDirs(work));

  it('puts the built main, preload and renderer bundles in app.asar', async () => {
    for (const file of ['/package.json', '/out/main/index.js', '/out/preload/index.cjs', '/out/renderer/index.html'])
      assert.ok(files.has(file), `${file} in app.asar`);
    assert.ok(
      [...files].some((f) => /^\/out\/renderer\/assets\/.+\.js$/.test(f)),
      'the renderer script',
    );
    assert.ok(![...files].some((f) => f.endsWith('.map')), 'no source maps');
    assert.ok(![...files].some((f) => /^\/(main|preload|renderer|shared|test)\//.test(f)), 'no TypeScript sources');
    const built = await readFile(join(work, 'project', 'out', 'main', 'index.js'));
    assert.deepEqual(asar.extractFile(join(resources, 'app.asar'), 'out/main/index.js'), built);
  });

  it('unpacks the native modules from the asar', async () => {
    const unpacked = join(resources, 'app.asar.unpacked', 'node_modules');
    assert.ok(await exists(join(unpacked, 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node')));
    if (await exists(join(ROOT, 'node_modules', 'keytar', 'build', 'Release', 'keytar.node')))
      assert.ok(await exists(join(unpacked, 'keytar', 'build', 'Release', 'keytar.node')));
  });

  it('configures the fuses, and electron-builder flips them in the binary', async () => {
    const fuses = config['electronFuses'] as Record<string, boolean>;
    for (const [fuse, value] of Object.entries(REQUIRED_FUSES)) assert.equal(fuses[fuse], value, fuse);
    const binary = await readFile(executable);
    const at = binary.indexOf(FUSE_SENTINEL) + FUSE_SENTINEL.length;
    assert.ok(at > FUSE_SENTINEL.length, 'the fuse wire is in the packaged executable');
    const wire = binary.subarray(at + 2, at + 2 + FUSE_ORDER.length).toString('ascii');
    FUSE_ORDER.forEach((fuse, index) => {
      const expected = fuses[fuse] === undefined ? ELECTRON_DEFAULT_FUSES[index] : fuses[fuse] ? '1' : '0';
      assert.equal(wire[index], expected, fuse);
    });
    assert.equal(wire[FUSE_ORDER.indexOf('grantFileProtocolExtraPrivileges')], '0', 'file:// has no extra privileges');
  });

  it('builds a preload that requires nothing but electron (a sandboxed preload can load nothing else)', async () => {
    const preload = asar.extractFile(join(resources, 'app.asar'), 'out/preload/index.cjs').toString('utf8');
    const required = [...preload.matchAll(/require\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((match) => match[1]);
    assert.deepEqual([...new Set(required)], ['electron']);
    assert.doesNotMatch(preload, /\bimport\s*\(|^import\s/m);
  });

  it('names every target, the icons and the macOS hardened runtime with its entitlements', async () => {
    const linux = config['linux'] as { target: string[]; icon: string };
    const mac = config['mac'] as {
      target: string;
      hardenedRuntime: boolean;
      entitlements: string;
      entitlementsInherit: string;
      icon: string;
    };
    const win = config['win'] as { target: string; icon: string };
    assert.deepEqual([...linux.target].sort(), ['AppImage', 'deb']);
    assert.equal(mac.target, 'dmg');
    assert.equal(mac.hardenedRuntime, true);
    assert.equal(win.target, 'nsis');
    assert.equal(config['appId'], 'dev.fileferry.app');
    assert.equal(config['productName'], 'FileFerry');
    const plist = await readFile(join(ROOT, mac.entitlements), 'utf8');
    assert.match(plist, /<key>com\.apple\.security\.cs\.allow-jit<\/key>\s*<true\/>/);
    assert.doesNotMatch(plist, /disable-library-validation|allow-dyld-environment-variables|get-task-allow/);
    assert.equal(mac.entitlementsInherit, mac.entitlements);

    const png = await readFile(join(ROOT, 'build', 'icon.png'));
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [1024, 1024], 'build/icon.png is 1024×1024');
    for (const size of [16, 32, 48, 64, 128, 256, 512]) {
      const icon = await readFile(join(ROOT, linux.icon, `${size}x${size}.png`));
      assert.deepEqual([icon.readUInt32BE(16), icon.readUInt32BE(20)], [size, size], `${size}x${size}.png`);
    }
    const icns = await readFile(join(ROOT, mac.icon));
    assert.equal(icns.subarray(0, 4).toString('ascii'), 'icns');
    assert.equal(icns.readUInt32BE(4), icns.length);
    const ico = await readFile(join(ROOT, win.icon));
    assert.deepEqual([ico.readUInt16LE(0), ico.readUInt16LE(2)], [0, 1], 'an ICO header');
    assert.ok(ico.readUInt16LE(4) >= 4, 'several sizes in the ICO');
  });
});

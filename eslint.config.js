// ESLint flat config: typescript-eslint's recommended rules plus our layering (see the shared notes'
// style.md): each top-level folder is named by the runtime it needs, and an import that crosses a layer
// the wrong way fails lint — and with it `npm test`.
import path from 'node:path';
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ROOT = import.meta.dirname;
const BUILTINS = new Set(builtinModules);

/** The layer a repository path belongs to, or undefined for files outside the layered tree (tests, build). */
function layerOf(relativePath) {
  const p = relativePath.split(path.sep).join('/');
  for (const layer of ['main/core', 'main/electron', 'main/server', 'main/cli', 'shared', 'preload', 'renderer']) {
    if (p === layer || p.startsWith(layer + '/')) return layer;
  }
  return undefined;
}

/** What an import specifier points at: a layer of ours, a node builtin, 'electron', or another package. */
function classify(specifier, fromFile) {
  if (specifier.startsWith('.') || specifier.startsWith('/')) {
    const target = path.relative(ROOT, path.resolve(path.dirname(fromFile), specifier));
    return { kind: 'local', layer: layerOf(target), target };
  }
  if (specifier.startsWith('node:') || BUILTINS.has(specifier.split('/')[0])) return { kind: 'builtin' };
  if (specifier === 'electron' || specifier.startsWith('electron/')) return { kind: 'electron' };
  const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
  return { kind: 'package', name };
}

/** Returns why `specifier` may not be imported from a file in `layer`, or undefined when it may. */
function violation(layer, specifier, fromFile) {
  const to = classify(specifier, fromFile);
  const where = to.kind === 'local' ? (to.layer ?? to.target) : specifier;
  switch (layer) {
    case 'main/core':
      if (to.kind === 'electron') return 'main/core runs without Electron (the CLI, server and tests reuse it)';
      if (to.kind === 'local' && ['main/electron', 'main/server', 'main/cli', 'preload', 'renderer'].includes(to.layer))
        return `main/core must not depend on ${where}`;
      return undefined;
    case 'shared':
      if (to.kind === 'local' && to.layer === 'shared') return undefined;
      if (to.kind === 'package' && to.name === 'zod') return undefined;
      return `shared/ is pure TypeScript: only zod and other shared/ files (not ${where})`;
    case 'renderer':
      if (to.kind === 'builtin' || to.kind === 'electron') return `the renderer runs in a browser: no ${specifier}`;
      if (to.kind === 'local' && to.layer !== 'renderer' && to.layer !== 'shared')
        return `the renderer talks to the core only through the API client (not ${where})`;
      return undefined;
    case 'main/server':
    case 'main/cli':
      // Web mode and the command line run in plain Node, where there is no Electron.
      if (to.kind === 'electron') return `${layer} runs in plain Node: no ${specifier}`;
      if (to.kind === 'local' && ['main/electron', 'preload', 'renderer'].includes(to.layer))
        return `${layer} must not depend on ${where}`;
      return undefined;
    case 'preload':
      if (to.kind === 'electron') return undefined;
      if (to.kind === 'local' && (to.layer === 'preload' || to.layer === 'shared')) return undefined;
      return `preload is the bridge only: electron and shared/ (not ${where})`;
    default:
      return undefined;
  }
}

const layeringRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Keep imports inside the allowed layers (shared, main/core, preload, renderer…)' },
    schema: [],
    messages: { layer: 'Layering: {{reason}}.' },
  },
  create(context) {
    const layer = layerOf(path.relative(ROOT, context.filename));
    if (!layer) return {};
    const check = (source) => {
      if (!source || typeof source.value !== 'string') return;
      const reason = violation(layer, source.value, context.filename);
      if (reason) context.report({ node: source, messageId: 'layer', data: { reason } });
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source.type === 'Literal' ? node.source : undefined),
      TSImportType: (node) => check(node.argument?.literal ?? node.source),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require') check(node.arguments[0]);
      },
    };
  },
};

const NODE_GLOBALS = Object.fromEntries(
  [
    'process',
    'console',
    'Buffer',
    'URL',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'AbortController',
    'TextEncoder',
    'TextDecoder',
  ].map((name) => [name, 'readonly']),
);

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', '.tmp/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { ferry: { rules: { layering: layeringRule } } },
    rules: {
      'ferry/layering': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: NODE_GLOBALS },
  },
);

// electron-vite builds the three Electron bundles: main (the thin shell), preload (the bridge) and the renderer.
// The CLI and the tests do not go through this build: they run the TypeScript sources with tsx.
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

// Native modules cannot be bundled; the heavy SDKs stay in node_modules too (they are listed in dependencies,
// which electron-vite externalises by default). keytar is an optionalDependency, so name it explicitly.
const NATIVE_MODULES = ['keytar', 'better-sqlite3'];

export default defineConfig({
  main: {
    build: {
      externalizeDeps: { include: NATIVE_MODULES },
      rolldownOptions: { input: { index: resolve(import.meta.dirname, 'main/electron/index.ts') } },
    },
  },
  preload: {
    build: {
      // A sandboxed preload must be a classic script: CommonJS, with only 'electron' left to require() (its
      // require() knows nothing else), so no dependency stays external. Our modules have no side effects on
      // import, so what the bridge does not use (the zod schemas shared/api re-exports) is left out.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(import.meta.dirname, 'preload/index.ts') },
        external: ['electron'],
        treeshake: { moduleSideEffects: false },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'renderer'),
    build: {
      rolldownOptions: { input: { index: resolve(import.meta.dirname, 'renderer/index.html') } },
    },
    plugins: [react()],
  },
});

#!/usr/bin/env node
// Launcher for the `fileferry` command: registers tsx so the TypeScript sources run straight from the
// checkout, then hands over to main/cli/index.ts. tsx is pinned to this repository's tsconfig, whatever
// the current directory holds.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../../tsconfig.json', import.meta.url)) });
const { main } = await import('./index.ts');
process.exitCode = await main(process.argv.slice(2));

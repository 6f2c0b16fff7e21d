// `node --import ./record-loads.mjs SCRIPT`: appends the URL of every ES module the process loads to the file
// named by FILEFERRY_TEST_LOADS, one per line — which modules a command really loaded, seen from outside, for
// the built CLI (plain node) and the sources (under tsx) alike. Plain JavaScript, because the built CLI runs
// without tsx. The same file is both the registration (on the main thread) and the hooks (on the loader
// thread Node starts for them).
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

let file;

export function initialize(data) {
  file = data.file;
}

export async function load(url, context, nextLoad) {
  appendFileSync(file, `${url}\n`);
  return nextLoad(url, context);
}

if (isMainThread && process.env.FILEFERRY_TEST_LOADS) {
  register(import.meta.url, { data: { file: process.env.FILEFERRY_TEST_LOADS } });
}

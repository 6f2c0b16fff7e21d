// Types of build/cli-freshness.mjs for the TypeScript that imports it (the benchmark and the tests).
export const CLI_OUT: string;
export const MANIFEST: string;

export function builtEntry(root: URL): { entry: URL; why?: undefined } | { entry?: undefined; why: string };

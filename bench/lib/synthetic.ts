// Providers that cost (almost) nothing, for measuring the engine's own cost at a scale no disk here holds
// comfortably: a source that lists N small files in folders of 1,000 without a single file on disk, and a
// target that accepts every write and keeps nothing. What is left is the engine: its walk, its store, its
// scheduling and its events — whose memory must stay flat from 100,000 files to a million.
import { FerryError } from '../../shared/errors';
import type { Capabilities, Entry, Provider } from '../../shared/provider';

const PER_FOLDER = 1000;
const FILE_BYTES = 100;
const MODIFIED = Date.UTC(2026, 0, 1);
const BYTES = Buffer.alloc(FILE_BYTES, 120);

const BASE: Capabilities = {
  hashes: [],
  reportedHashes: [],
  modTimePrecisionMs: 1,
  setModTime: false,
  resumableRead: true,
  resumableWrite: false,
  atomicWrite: false,
  maxConnections: 8,
  emptyFolders: true,
  cheapRename: true,
  writeReleasesChunks: true,
};

export function syntheticSource(files: number): Provider {
  const folders = Math.ceil(files / PER_FOLDER);
  const inFolder = (k: number) => Math.min(PER_FOLDER, files - k * PER_FOLDER);
  const file = (folder: number, i: number): Entry => ({
    name: `f${i}.bin`,
    path: `/d${folder}/f${i}.bin`,
    type: 'file',
    size: FILE_BYTES,
    modified: MODIFIED,
  });
  return {
    siteKey: 'synthetic://source',
    capabilities: BASE,
    async *list(path) {
      if (path === '/') {
        for (let k = 0; k < folders; k += 500) {
          yield Array.from({ length: Math.min(500, folders - k) }, (_, j): Entry => ({
            name: `d${k + j}`,
            path: `/d${k + j}`,
            type: 'folder',
          }));
        }
        return;
      }
      const folder = Number(/^\/d(\d+)$/.exec(path)?.[1]);
      for (let i = 0; i < inFolder(folder); i += 500) {
        yield Array.from({ length: Math.min(500, inFolder(folder) - i) }, (_, j) => file(folder, i + j));
      }
    },
    async stat(path) {
      if (path === '/' || /^\/d\d+$/.test(path)) return { name: '', path, type: 'folder' };
      const match = /^\/d(\d+)\/f(\d+)\.bin$/.exec(path);
      if (!match) throw new FerryError('NotFound', `${path} does not exist.`);
      return file(Number(match[1]), Number(match[2]));
    },
    async read() {
      return (async function* () {
        yield BYTES;
      })();
    },
    async write() {
      throw new FerryError('Unsupported', 'The synthetic source takes no writes.');
    },
    async mkdir() {},
    async remove() {},
    async rename() {},
    async close() {},
  };
}

/** A target that writes nowhere: every folder is new and empty, every write succeeds with its size. */
export function nullTarget(): Provider {
  return {
    siteKey: 'null://target',
    capabilities: { ...BASE, atomicWrite: true, resumableWrite: false },
    async *list() {},
    async stat(path) {
      throw new FerryError('NotFound', `${path} does not exist.`);
    },
    async read() {
      throw new FerryError('NotFound', 'The null target holds nothing.');
    },
    async write(_path, source) {
      let size = 0;
      for await (const chunk of source) size += chunk.byteLength;
      return { size };
    },
    async mkdir() {
      return true;
    },
    async remove() {},
    async rename() {},
    async close() {},
  };
}

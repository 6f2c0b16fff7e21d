// Files dropped into a pane from outside the page in web mode. The browser holds their bytes and gives no path,
// so they cannot be read from the disk like a desktop drop: the page PUTs each file to the web server, and the
// bytes stream from that request into the target through the transfer queue (progress, verification, a place
// in the queue like any copy), never buffered whole and never written anywhere else first. The source of that
// job is an UploadSource: a provider whose listing is the dropped files and whose read() waits for the file's
// request to arrive.
import { randomUUID } from 'node:crypto';
import type { UploadFile } from '../../../shared/api';
import { FerryError } from '../../../shared/errors';
import { nameProblem } from '../../../shared/paths';
import type { Capabilities, Entry, Provider } from '../../../shared/provider';

/** How long a queued upload waits for the browser to send a file's bytes once the job asks for them. */
const WAIT_FOR_BYTES_MS = 5 * 60_000;

const CAPABILITIES: Capabilities = {
  hashes: [],
  reportedHashes: [],
  modTimePrecisionMs: 1,
  setModTime: false,
  resumableRead: false,
  resumableWrite: false,
  atomicWrite: false,
  maxConnections: 4,
  emptyFolders: false,
  cheapRename: false,
};

interface Waiting {
  body?: AsyncIterable<Uint8Array>;
  /** Resolves when the job asks for the bytes and the body is there. */
  deliver?: (body: AsyncIterable<Uint8Array>) => void;
  /** Resolves when the job has read the whole body (or failed it). */
  done?: { resolve: () => void; reject: (error: unknown) => void };
}

class UploadSource implements Provider {
  readonly siteKey: string;
  readonly capabilities = CAPABILITIES;
  private readonly waiting: Waiting[];

  constructor(
    readonly id: string,
    private readonly files: readonly UploadFile[],
  ) {
    this.siteKey = `upload://${id}`;
    this.waiting = files.map(() => ({}));
  }

  private entry(index: number): Entry {
    const file = this.files[index]!;
    const entry: Entry = { name: file.name, path: `/${file.name}`, type: 'file', size: file.size };
    if (file.modified !== undefined) entry.modified = file.modified;
    return entry;
  }

  private indexOf(path: string): number {
    const index = this.files.findIndex((file) => `/${file.name}` === path);
    if (index < 0) throw new FerryError('NotFound', `${path} is not one of the files dropped.`);
    return index;
  }

  async *list(): AsyncIterable<Entry[]> {
    yield this.files.map((_, index) => this.entry(index));
  }

  async stat(path: string): Promise<Entry> {
    if (path === '/') return { name: '', path: '/', type: 'folder' };
    return this.entry(this.indexOf(path));
  }

  async read(path: string): Promise<AsyncIterable<Uint8Array>> {
    const slot = this.waiting[this.indexOf(path)]!;
    const body =
      slot.body ??
      (await new Promise<AsyncIterable<Uint8Array>>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new FerryError('Network', `The browser did not send ${path} in time; drop it again.`)),
          WAIT_FOR_BYTES_MS,
        );
        slot.deliver = (delivered) => {
          clearTimeout(timer);
          resolve(delivered);
        };
      }));
    slot.body = undefined;
    const done = slot.done;
    return (async function* () {
      try {
        for await (const chunk of body) yield chunk;
        done?.resolve();
      } catch (error) {
        done?.reject(error);
        throw error;
      }
    })();
  }

  /** The bytes of file `index` arrived (the page's PUT): resolves once the job has read them all. */
  receive(index: number, body: AsyncIterable<Uint8Array>): Promise<void> {
    const slot = this.waiting[index];
    if (!slot) return Promise.reject(new FerryError('NotFound', 'No such file in this upload.'));
    if (slot.done) return Promise.reject(new FerryError('AlreadyExists', 'This file was sent already.'));
    return new Promise<void>((resolve, reject) => {
      slot.done = { resolve, reject };
      if (slot.deliver) slot.deliver(body);
      else slot.body = body;
    });
  }

  async write(): Promise<never> {
    throw new FerryError('Unsupported', 'Dropped files can only be read.');
  }
  async mkdir(): Promise<void> {}
  async remove(): Promise<void> {
    throw new FerryError('Unsupported', 'Dropped files cannot be removed.');
  }
  async rename(): Promise<void> {
    throw new FerryError('Unsupported', 'Dropped files cannot be renamed.');
  }
  async close(): Promise<void> {
    for (const slot of this.waiting) slot.done?.reject(new FerryError('Cancelled', 'The upload was stopped.'));
  }
}

export class Uploads {
  private readonly sources = new Map<string, UploadSource>();

  /** A new upload of these files; its source is opened through the ref { savedId: `upload:${id}` }. */
  create(files: readonly UploadFile[]): string {
    for (const file of files) {
      const problem = nameProblem(file.name);
      if (problem) throw new FerryError('InvalidInput', `The name "${file.name}" ${problem}.`);
    }
    const id = randomUUID();
    this.sources.set(id, new UploadSource(id, files));
    return id;
  }

  /** The source for a `upload:<id>` ref, or undefined for any other saved id. */
  sourceFor(savedId: string): Provider | undefined {
    return savedId.startsWith('upload:') ? this.sources.get(savedId.slice('upload:'.length)) : undefined;
  }

  receive(uploadId: string, index: number, body: AsyncIterable<Uint8Array>): Promise<void> {
    const source = this.sources.get(uploadId);
    if (!source)
      return Promise.reject(new FerryError('NotFound', 'There is no such upload (it finished or was cancelled).'));
    return source.receive(index, body);
  }

  /** The upload's job ended: its source goes. */
  finished(uploadId: string): void {
    const source = this.sources.get(uploadId);
    this.sources.delete(uploadId);
    void source?.close();
  }
}

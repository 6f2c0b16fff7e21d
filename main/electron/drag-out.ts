// Dragging rows out of a pane to the desktop: the OS drag needs files on this machine. A local file is
// dragged as it is; a remote one (FTP, S3, Azure) is first downloaded by the transfer engine — through the
// service, as a queue job the user sees — into a temporary folder of its own, removed when the app quits.
// A download takes time, so for large remote files the drag starts once the bytes are here.
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { ApiLocation } from '../../shared/api';
import type { LocalSpec } from '../../shared/connection';
import { FerryError } from '../../shared/errors';
import { baseName } from '../../shared/paths';
import type { JobSnapshot, JobState } from '../../shared/transfers';
import type { ApiService, CallContext } from '../core/api/types';
import { LocalProvider } from '../core/providers/local';
import { openProvider } from '../core/providers';
import { locationSchema } from '../core/transfers/request-schema';

/** More rows than anyone drags at once: a renderer sending more is refused before anything starts. */
const MAX_DRAGGED = 500;
const locationsSchema = z.array(locationSchema).min(1).max(MAX_DRAGGED);
const STOPPED: ReadonlySet<JobState> = new Set(['completed', 'failed', 'cancelled', 'paused']);
const noEvents: CallContext = { emit: () => undefined };

export interface DragOutOptions {
  service: Pick<ApiService, 'call' | 'on'>;
  /** Where the temporary download folders go (os.tmpdir()). */
  tempRoot: string;
}

export class DragOut {
  private readonly folders = new Set<string>();

  constructor(private readonly options: DragOutOptions) {}

  /** The files to drag, on this machine: validates what the renderer sent, downloads what is remote. */
  async prepare(input: unknown): Promise<string[]> {
    const parsed = locationsSchema.safeParse(input);
    if (!parsed.success) throw new FerryError('InvalidInput', 'The rows to drag out are not valid locations.');
    const files: string[] = [];
    for (const location of parsed.data as ApiLocation[]) {
      const spec = await this.localSpec(location);
      files.push(spec ? await osPath(spec, location.path) : await this.download(location));
    }
    return files;
  }

  /** Removes the temporary downloads (at quit: the drop has long copied them by then). */
  async cleanup(): Promise<void> {
    const folders = [...this.folders];
    this.folders.clear();
    await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
  }

  /** The local spec of a location on the local disk (inline or a saved local connection), else undefined. */
  private async localSpec(location: ApiLocation): Promise<LocalSpec | undefined> {
    if ('spec' in location.connection)
      return location.connection.spec.kind === 'local' ? location.connection.spec : undefined;
    const saved = (await this.options.service.call(
      'connections.get',
      { id: location.connection.savedId },
      noEvents,
    )) as {
      spec: { kind: string };
    };
    return saved.spec.kind === 'local' ? (saved.spec as LocalSpec) : undefined;
  }

  private async download(location: ApiLocation): Promise<string> {
    const folder = await mkdtemp(join(this.options.tempRoot, 'fileferry-drag-'));
    this.folders.add(folder);
    // Listen before adding: a small file may finish before transfers.add has even answered.
    const ended = new Map<string, JobSnapshot>();
    let waiting: { jobId: string; resolve: (job: JobSnapshot) => void } | undefined;
    const stop = this.options.service.on((kind, payload) => {
      if (kind !== 'transfer') return;
      const event = payload as { type: string; job?: JobSnapshot };
      if (event.type !== 'job' || !event.job || !STOPPED.has(event.job.state)) return;
      ended.set(event.job.id, event.job);
      if (waiting?.jobId === event.job.id) waiting.resolve(event.job);
    });
    try {
      const request = {
        source: location,
        target: { connection: { spec: { kind: 'local', root: folder } }, path: '/' },
        intoFolder: true,
        recursive: true,
        overwrite: 'overwrite',
      };
      const added = (await this.options.service.call('transfers.add', request, noEvents)) as JobSnapshot;
      const job =
        ended.get(added.id) ??
        (await new Promise<JobSnapshot>((resolve) => {
          waiting = { jobId: added.id, resolve };
        }));
      if (job.state !== 'completed') {
        throw new FerryError(
          job.error?.code ?? 'Cancelled',
          job.error?.message ?? 'The download for the drag was stopped.',
        );
      }
      return join(folder, baseName(location.path));
    } finally {
      stop();
    }
  }
}

/** The OS path of a path on the local disk, as the local provider maps it (its root, its name rules). */
async function osPath(spec: LocalSpec, path: string): Promise<string> {
  const provider = await openProvider(spec);
  try {
    if (!(provider instanceof LocalProvider)) throw new FerryError('Unsupported', 'Not a local disk.');
    return provider.toOsPath(path);
  } finally {
    await provider.close();
  }
}

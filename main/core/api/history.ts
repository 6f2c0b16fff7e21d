// The `history` service of the API: the history view's pages, its footer's status, and exports to the
// Downloads folder (in the desktop app and in web mode alike the file lands on this machine, where the person
// is; the view says where). Without a history (it could not be opened) each call says so instead.
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { FerryError } from '../../../shared/errors';
import type {
  HistoryExported,
  HistoryExportFormat,
  HistoryFilter,
  HistoryPage,
  HistoryQuery,
  HistoryStatus,
  ReplicationStatus,
} from '../../../shared/history';
import { writeHistoryExport } from '../history/export';
import type { OpenHistory } from '../history/open';
import { fsError } from '../providers/local/errors';

export class HistoryApi {
  constructor(
    private readonly history: OpenHistory | undefined,
    private readonly downloads: string,
    private readonly replication: (history: OpenHistory) => Promise<ReplicationStatus>,
  ) {}

  query(query: HistoryQuery): HistoryPage {
    const { store, options } = this.open();
    const page = store.query(query);
    // Each row's standing with the account: pulled from another device, waiting in the outbox, or uploaded.
    const replicating = store.meta('replicate') === '1';
    const pending = replicating ? store.pendingAmong(page.records.map((record) => record.id)) : new Set();
    for (const record of page.records) {
      record.replication =
        record.deviceId !== options.device.id
          ? 'remote'
          : !replicating
            ? 'local'
            : pending.has(record.id)
              ? 'pending'
              : 'replicated';
    }
    // A first page that holds every match is its own count; otherwise the view asks count() beside it.
    return query.after === undefined && !page.next ? { ...page, total: page.records.length } : page;
  }

  /**
   * How many records match: asked beside the first page rather than with it, since counting a search means
   * reading every entry of the index (30–40 ms at 100,000 records) while the first page is there in a few.
   */
  count(filter: HistoryFilter): number {
    return this.open().store.count(filter);
  }

  async status(): Promise<HistoryStatus> {
    const history = this.open();
    const { device } = history.options;
    return {
      device: { id: device.id, name: device.name },
      records: history.store.count(),
      replication: await this.replication(history),
    };
  }

  async export(filter: HistoryFilter, format: HistoryExportFormat): Promise<HistoryExported> {
    const { store } = this.open();
    const { path, out } = await this.newFile(format);
    let records = 0;
    const counted = (function* () {
      for (const record of store.all(filter)) {
        records++;
        yield record;
      }
    })();
    try {
      await writeHistoryExport(counted, format, out);
      out.end();
      await finished(out);
    } catch (error) {
      out.destroy();
      await rm(path, { force: true });
      throw fsError(error, path);
    }
    return { path, records };
  }

  /** A new file in the Downloads folder, never over one of the person's: "… (2)" when the name is taken. */
  private async newFile(format: HistoryExportFormat): Promise<{ path: string; out: WriteStream }> {
    await mkdir(this.downloads, { recursive: true }).catch((error: unknown) => {
      throw fsError(error, this.downloads);
    });
    const stamp = new Date().toISOString().replace(/:/g, '-').replace(/\..*/, '');
    for (let n = 1; ; n++) {
      const path = join(this.downloads, `FileFerry history ${stamp}${n > 1 ? ` (${n})` : ''}.${format}`);
      const out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
      try {
        await once(out, 'open');
        return { path, out };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || n >= 100) throw fsError(error, path);
      }
    }
  }

  private open(): OpenHistory {
    if (!this.history) {
      throw new FerryError(
        'Unsupported',
        'The transfer history could not be opened when FileFerry started (the log says why); restart FileFerry to try again.',
      );
    }
    return this.history;
  }
}

// What one listing of each target folder said about the files a folder job will write there, so the overwrite
// policy of each file is decided without a stat (or two, with the temporary) per file: 2,000 small files into
// an empty S3 prefix cost one listing, not 4,000 requests. Held in memory for the run that planned the job and
// used once per file: a later run (after a pause or a restart) or a retry of a failed file stats afresh, since
// the listing is older by then.
import { baseName } from '../../../shared/paths';
import type { Entry } from '../../../shared/provider';
import { tempPathFor } from './temp-name';

/** The listing's word on one target file: its entry and its temporary's (undefined: absent). */
export interface ListedTarget {
  final?: Entry;
  temp?: Entry;
}

export class TargetListing {
  private readonly byPath = new Map<string, ListedTarget>();

  /** Records a folder's listing for the target paths about to be written there (`entries` empty: a new folder). */
  record(targets: readonly string[], entries: readonly Entry[]): void {
    const byName = new Map<string, Entry>();
    for (const entry of entries) byName.set(entry.name, entry);
    for (const path of targets) {
      const listed: ListedTarget = {};
      const final = byName.get(baseName(path));
      const temp = byName.get(baseName(tempPathFor(path)));
      if (final) listed.final = final;
      if (temp) listed.temp = temp;
      this.byPath.set(path, listed);
    }
  }

  /** What the listing said about `path`, once; undefined when it cannot say (not listed, or already taken). */
  take(path: string): ListedTarget | undefined {
    const listed = this.byPath.get(path);
    this.byPath.delete(path);
    return listed;
  }
}

// Child of concurrent-writers.test.ts: creates the history's schema in `argv[2]` inside one write transaction
// and holds that transaction (and so the write lock) for `argv[3]` ms after printing "held", as a process that
// opened a new history a moment earlier would, so the parent's open meets a schema being created.
import { writeSync } from 'node:fs';
import { migrate, openDatabase } from '../../main/core/db/sqlite';
import { HISTORY_MIGRATIONS } from '../../main/core/history/schema';

const db = openDatabase(process.argv[2]!);
db.transaction(() => {
  migrate(db, HISTORY_MIGRATIONS, 'transfer history');
  writeSync(1, 'held\n');
  // Synchronous on purpose: the lock must stay held while the parent tries to open the file.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(process.argv[3]));
});
db.close();
writeSync(1, 'committed\n');

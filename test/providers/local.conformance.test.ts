import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openProvider } from '../../main/core/providers';
import { runConformance } from '../conformance/suite';

runConformance({
  name: 'local disk',
  async setup() {
    const folder = await mkdtemp(path.join(tmpdir(), 'ff-local-'));
    const provider = await openProvider({ kind: 'local', root: folder });
    return { provider, root: '/', stop: () => rm(folder, { recursive: true, force: true }) };
  },
});

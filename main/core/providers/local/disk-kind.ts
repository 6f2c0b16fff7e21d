// Whether a folder sits on a local disk, where a metadata call (stat, rename, a small file's copy) returns in
// microseconds. There the provider makes such calls synchronously: a folder of 100,000 small files otherwise
// spends most of its time handing each call to the thread pool and back (measured: five round trips per file,
// twenty futex calls, more kernel time than the copying itself). On a network or FUSE file system a call can
// wait for a server, so those keep every call asynchronous, as does any system this cannot tell for.
import { statfs } from 'node:fs/promises';

/** statfs f_type of file systems on local block devices (and memory), from linux/magic.h. */
const LOCAL_DISKS = new Set([
  0xef53, // ext2/3/4
  0x58465342, // xfs
  0x9123683e, // btrfs
  0x01021994, // tmpfs
  0x2fc12fc1, // zfs
  0xf2f52010, // f2fs
  0x794c7630, // overlayfs
  0x3153464a, // jfs
  0x52654973, // reiserfs
]);

/** Small enough to copy synchronously: a copy of this size on a local disk takes well under a millisecond. */
export const SMALL_FILE_BYTES = 256 * 1024;

export async function onLocalDisk(osPath: string): Promise<boolean> {
  if (process.platform !== 'linux') return false;
  try {
    return LOCAL_DISKS.has((await statfs(osPath)).type);
  } catch {
    return false;
  }
}

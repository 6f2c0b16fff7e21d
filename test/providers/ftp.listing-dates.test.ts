// FTP LIST lines carry a date without year, seconds or zone ("Dec 07 20:27"): FileFerry shows the server's
// words (Entry.modifiedText) instead of guessing a time it would then compare; MLSD's exact times stay times.
// A hostile server's date text reaches the screen only as short, printable text.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FileInfo, FileType } from 'basic-ftp';
import { toEntry } from '../../main/core/providers/ftp/listing';

function listed(fields: Partial<FileInfo>): FileInfo {
  const info = new FileInfo('report.csv');
  info.type = FileType.File;
  info.size = 42;
  return Object.assign(info, fields);
}

describe('dates in FTP listings', () => {
  it('a LIST date is kept as the server wrote it, and is no time', () => {
    const entry = toEntry(listed({ rawModifiedAt: 'Dec 07 20:27' }), '/report.csv', 'report.csv');
    assert.equal(entry.modifiedText, 'Dec 07 20:27');
    assert.equal(entry.modified, undefined);
  });

  it('an MLSD time is a time', () => {
    const at = new Date(Date.UTC(2026, 11, 7, 20, 27, 31));
    const entry = toEntry(listed({ modifiedAt: at, rawModifiedAt: '20261207202731' }), '/r', 'r');
    assert.equal(entry.modified, at.getTime());
    assert.equal(entry.modifiedText, undefined);
  });

  it("a hostile server's date text loses its control characters and is cut short", () => {
    const entry = toEntry(listed({ rawModifiedAt: `Dec\u001b[31m 07\r\n${'9'.repeat(200)}` }), '/r', 'r');
    assert.equal(entry.modifiedText, `Dec [31m 07 ${'9'.repeat(20)}`);
    assert.ok(entry.modifiedText!.length <= 32);
  });
});

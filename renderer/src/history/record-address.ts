// A history record's address (a local path, NAME:/path, ftp://…, s3://…, az://…: what a pane's address bar
// takes) split into the folder to open and the name to select there.

/** Where the path part of an address starts: after "scheme://host" or "NAME:", else at 0. */
function pathStart(address: string): number {
  const url = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(address);
  if (url) return url[0].length;
  const saved = /^[^/\\:]+:(?=\/)/.exec(address);
  return saved ? saved[0].length : 0;
}

/** The address of the folder that holds the record's file. */
export function addressParent(address: string): string {
  const start = pathStart(address);
  const cut = address.lastIndexOf('/');
  if (cut <= start) return `${address.slice(0, start)}/`;
  return address.slice(0, cut);
}

/** The file's name. */
export function baseNameOf(address: string): string {
  return address.slice(Math.max(address.lastIndexOf('/') + 1, pathStart(address)));
}

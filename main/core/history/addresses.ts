// How a history record names each side: the connection as the user knows it, and an address under it. Built
// from the connection's non-secret fields only (host, user name, bucket, account), and an endpoint's query
// (where a SAS would be) is dropped: a record replicates to another service, so it must hold no credential.
import { join } from 'node:path';
import type { ConnectionRef, ConnectionSpec } from '../../../shared/connection';

/** A saved connection's name by its id (undefined: no longer saved). */
export type SavedName = (savedId: string) => string | undefined;

/** One side of a job as its history records name it: the connection's label, and each file's address on it. */
export interface RecordSide {
  label: string;
  address(path: string): string;
}

export function recordSide(ref: ConnectionRef, savedName: SavedName = () => undefined): RecordSide {
  const label = connectionLabel(ref, savedName);
  // A local connection with a root of its own (a drive on Windows) holds provider paths under that root: the
  // record names the file where it is on disk.
  const root = 'spec' in ref && ref.spec.kind === 'local' ? ref.spec.root : undefined;
  return { label, address: (path) => addressIn(label, root ? join(root, path) : path) };
}

/** The connection as a history record's sourceConnection/destinationConnection names it. */
export function connectionLabel(ref: ConnectionRef, savedName: SavedName = () => undefined): string {
  if ('savedId' in ref) return savedName(ref.savedId) ?? `saved:${ref.savedId}`;
  // The command line carries a saved connection as its spec, with the secrets kept under "saved:<id>".
  const saved = ref.secretsKey?.startsWith('saved:') ? savedName(ref.secretsKey.slice('saved:'.length)) : undefined;
  return saved ?? specLabel(ref.spec);
}

/** A path on that connection as one string: the local path itself, or the label followed by the path. */
export function addressIn(label: string, path: string): string {
  if (label === 'local') return path;
  // Saved connections read as the command line writes them ("name:/path"); URLs just go on.
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(label) ? `${label}${path}` : `${label}:${path}`;
}

function specLabel(spec: ConnectionSpec): string {
  switch (spec.kind) {
    case 'local':
      return 'local';
    case 'ftp':
    case 'ftps': {
      const scheme = spec.kind === 'ftp' ? 'ftp' : spec.tls === 'implicit' ? 'ftps+implicit' : 'ftps';
      const host = spec.host.includes(':') ? `[${spec.host}]` : spec.host;
      const user = spec.user === 'anonymous' ? '' : `${encodeURIComponent(spec.user)}@`;
      return `${scheme}://${user}${host}${spec.port ? `:${spec.port}` : ''}`;
    }
    case 's3':
      // AWS itself reads as s3://bucket; another endpoint (MinIO, R2…) by its address.
      return spec.endpoint ? `${bareUrl(spec.endpoint)}/${spec.bucket ?? ''}` : `s3://${spec.bucket ?? ''}`;
    case 'azure-blob':
      return spec.account
        ? `az://${spec.account}/${spec.container ?? ''}`
        : `${spec.endpoint ? bareUrl(spec.endpoint) : 'az:/'}/${spec.container ?? ''}`;
  }
}

/** Origin and path of a URL, without user info, query or fragment. */
function bareUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
  } catch {
    return 'endpoint';
  }
}

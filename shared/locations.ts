// The address of a place on a connection, as people know it and as messages name it: the local path itself,
// ftp://user@host:port/path, s3://bucket/key, az://account/container/path. Pure: the renderer's address bar,
// the API's errors and the CLI all say the same thing.
import type { ConnectionSpec } from './connection';
import { normalizePath } from './paths';

/** Percent-encodes what would end a URL's part (the path keeps its "/"). */
function urlPart(text: string): string {
  return encodeURIComponent(text).replace(/%2F/gi, '/');
}

/** The full address of `path` on a connection with this spec. */
export function addressOf(spec: ConnectionSpec, path: string): string {
  const normal = normalizePath(path);
  switch (spec.kind) {
    case 'local':
      return spec.root && spec.root !== '/' ? joinOs(spec.root, normal) : normal;
    case 'ftp':
    case 'ftps': {
      const scheme = spec.kind === 'ftp' ? 'ftp' : spec.tls === 'implicit' ? 'ftps+implicit' : 'ftps';
      const user = spec.user && spec.user !== 'anonymous' ? `${urlPart(spec.user)}@` : '';
      const port = spec.port ? `:${spec.port}` : '';
      return `${scheme}://${user}${spec.host}${port}${urlPart(normal)}`;
    }
    case 's3': {
      // Without a bucket in the connection, the bucket is the path's first folder.
      const rest = spec.bucket ? `${spec.bucket}${normal === '/' ? '' : normal}` : normal.slice(1);
      return `s3://${urlPart(rest)}`;
    }
    case 'azure-blob': {
      const inAccount = spec.container
        ? `/${spec.container}${normal === '/' ? '' : normal}`
        : normal === '/'
          ? ''
          : normal;
      return `az://${spec.account ?? 'account'}${urlPart(inAccount)}`;
    }
  }
}

function joinOs(root: string, normal: string): string {
  const trimmed = root.replace(/[\\/]+$/, '');
  return normal === '/' ? trimmed || '/' : `${trimmed}${normal}`;
}

/**
 * A message that names `path` with the full address instead (a provider's "/a/b does not exist." becomes
 * "ftp://host/a/b does not exist."), or that starts with the address where it does not name the path.
 */
export function withAddress(message: string, spec: ConnectionSpec, path: string): string {
  const address = addressOf(spec, path);
  if (message.includes(address)) return message;
  const normal = normalizePath(path);
  if (normal !== '/' && message.includes(normal)) return message.split(normal).join(address);
  return `${address}: ${message}`;
}

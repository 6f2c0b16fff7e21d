// Parsing of the addresses people type — on the command line and in a pane's address bar. Pure: no I/O, no
// environment, no platform path module; the caller says how a local path resolves (the CLI against the working
// directory, the window only absolute paths).
//
//   /abs/path, rel/path, C:\path, file:///abs/path         → the local disk
//   ftp://[user@]host[:port]/path                           → FTP
//   ftps://…  (AUTH TLS on the control port)                → FTPS, explicit
//   ftps+implicit://…  (TLS from the first byte)            → FTPS, implicit
//   NAME:path  (NAME without '/', not a drive letter)       → a saved connection
//   s3://bucket/key, az://account/container/path            → S3 and Azure Blob (credentials: locations.ts)
//
// A password inside a URL is refused: command lines end up in shell history and process listings.
import type { FtpSpec } from './connection';
import { FerryError } from './errors';
import { assertSafePath, normalizePath } from './paths';

export type FtpSpecInput = Pick<FtpSpec, 'kind' | 'host' | 'user' | 'tls'> & { port?: number };

export type Address =
  | { kind: 'local'; path: string }
  | {
      kind: 'ftp';
      spec: FtpSpecInput;
      path: string;
      /** False for anonymous logins, which need no password. */
      needsPassword: boolean;
    }
  | { kind: 'saved'; name: string; path: string }
  | { kind: 's3'; bucket: string; path: string }
  | { kind: 'azure-blob'; account: string; container: string; path: string };

const FTP_SCHEMES: Record<string, Pick<FtpSpec, 'kind' | 'tls'>> = {
  ftp: { kind: 'ftp', tls: 'none' },
  ftps: { kind: 'ftps', tls: 'explicit' },
  'ftps+implicit': { kind: 'ftps', tls: 'implicit' },
};

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

function invalid(input: string, why: string): FerryError {
  return new FerryError('InvalidInput', `Cannot use "${input}" as an address: ${why}`);
}

function decode(input: string, part: string, what: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(part);
  } catch {
    throw invalid(input, `the ${what} has a malformed percent-escape (write a literal % as %25).`);
  }
  if (/[\r\n\0]/.test(decoded)) throw invalid(input, `the ${what} contains a line break or NUL character.`);
  return decoded;
}

/** The path part of a URL: percent-decoded, made absolute and normalised. "?" and "#" are ordinary characters. */
function urlPath(input: string, raw: string): string {
  const decoded = decode(input, raw, 'path');
  return normalizePath(decoded === '' ? '/' : decoded);
}

function parseFtp(input: string, scheme: Pick<FtpSpec, 'kind' | 'tls'>, rest: string): Address {
  const slash = rest.indexOf('/');
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  const rawPath = slash === -1 ? '' : rest.slice(slash);
  // The last "@" ends the user part, so an unencoded "@" in a user name (me@example.com@host) still works.
  const at = authority.lastIndexOf('@');
  const userInfo = at === -1 ? undefined : authority.slice(0, at);
  const hostPort = at === -1 ? authority : authority.slice(at + 1);

  if (userInfo !== undefined && userInfo.includes(':')) {
    throw invalid(
      redactUserInfo(input),
      'it contains a password. Passwords on the command line leak into shell history and process lists; ' +
        'remove it from the URL and set the FILEFERRY_PASSWORD environment variable instead (or type it when asked).',
    );
  }
  const match = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d*))?$/.exec(hostPort);
  if (!match || !match[1]) throw invalid(input, 'it has no host name (expected scheme://[user@]host[:port]/path).');
  const host = decode(input, match[1].replace(/^\[(.*)\]$/, '$1'), 'host');
  let port: number | undefined;
  if (match[2] !== undefined && match[2] !== '') {
    port = Number(match[2]);
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw invalid(input, `the port ${match[2]} is not between 1 and 65535.`);
  }
  const user = userInfo === undefined || userInfo === '' ? 'anonymous' : decode(input, userInfo, 'user name');
  const spec: FtpSpecInput = { ...scheme, host, user, ...(port === undefined ? {} : { port }) };
  return { kind: 'ftp', spec, path: urlPath(input, rawPath), needsPassword: !/^(anonymous|ftp)$/i.test(user) };
}

/** Hides whatever follows "user:" so an error message never repeats a password the user typed. */
function redactUserInfo(input: string): string {
  return input.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^/]*@/i, '$1:***@');
}

/**
 * Parses one address; `resolveLocal` turns a local path as typed (or a file:// URL's path) into an absolute
 * one. Throws FerryError('InvalidInput') with a message saying what to fix.
 */
export function parseAddress(input: string, resolveLocal: (typed: string) => string): Address {
  if (input === '') throw invalid(input, 'it is empty.');
  const scheme = SCHEME.exec(input);
  if (scheme) {
    const name = scheme[1]!.toLowerCase();
    const rest = input.slice(scheme[0].length);
    const ftp = FTP_SCHEMES[name];
    if (ftp) return parseFtp(input, ftp, rest);
    if (name === 'file') {
      // file:///abs/path or file://localhost/abs/path; other hosts are not local.
      const match = /^(?:localhost)?(\/.*)$/i.exec(rest);
      if (!match) throw invalid(input, 'only file:///absolute/path (a file on this computer) is supported.');
      return { kind: 'local', path: resolveLocal(decode(input, match[1]!, 'path')) };
    }
    if (name === 's3') {
      const [bucket = '', ...key] = rest.split('/');
      return { kind: 's3', bucket: decode(input, bucket, 'bucket'), path: urlPath(input, '/' + key.join('/')) };
    }
    if (name === 'az') {
      const [account = '', container = '', ...blob] = rest.split('/');
      if (account === '') throw invalid(input, 'expected az://account/container/path.');
      return {
        kind: 'azure-blob',
        account: decode(input, account, 'account'),
        container: decode(input, container, 'container'),
        path: urlPath(input, '/' + blob.join('/')),
      };
    }
    throw invalid(
      input,
      `the scheme "${name}:" is not supported (use ftp://, ftps://, ftps+implicit://, s3://, az://, file:// or a path).`,
    );
  }

  // NAME:path names a saved connection, unless NAME looks like part of a path or a Windows drive letter.
  const colon = input.indexOf(':');
  if (colon > 0) {
    const name = input.slice(0, colon);
    if (!name.includes('/') && !name.includes('\\') && !/^[a-zA-Z]$/.test(name)) {
      const rest = input.slice(colon + 1);
      assertSafePath(rest, 'The path');
      assertSafePath(name, 'The connection name');
      return { kind: 'saved', name, path: normalizePath(rest === '' ? '/' : rest) };
    }
  }
  assertSafePath(input, 'The local path');
  return { kind: 'local', path: resolveLocal(input) };
}

/** A way to show an address in messages and progress lines (never includes a secret: none can be in it). */
export function describeAddress(address: Address): string {
  switch (address.kind) {
    case 'local':
      return address.path;
    case 'ftp': {
      const { spec } = address;
      const scheme = spec.kind === 'ftp' ? 'ftp' : spec.tls === 'implicit' ? 'ftps+implicit' : 'ftps';
      const host = spec.host.includes(':') ? `[${spec.host}]` : spec.host;
      const user = spec.user === 'anonymous' ? '' : `${encodeURIComponent(spec.user)}@`;
      return `${scheme}://${user}${host}${spec.port ? `:${spec.port}` : ''}${address.path}`;
    }
    case 'saved':
      return `${address.name}:${address.path}`;
    case 's3':
      return address.bucket === '' ? 's3://' : `s3://${address.bucket}${address.path}`;
    case 'azure-blob':
      return address.container === ''
        ? `az://${address.account}`
        : `az://${address.account}/${address.container}${address.path}`;
  }
}

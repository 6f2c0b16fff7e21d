// FileZilla's Site Manager file (sitemanager.xml; recentservers.xml has the same <Server> shape).
// Protocol: 0 FTP (TLS if the server offers it), 1 SFTP, 3 FTPS implicit, 4 FTPES explicit, 6 plain FTP;
// the Pro protocols (S3, WebDAV, …) are reported unsupported. Logontype: 0 anonymous, 1 normal, 2 ask,
// 3 interactive, 4 account. <Pass encoding="base64"> and plain <Pass> are imported into the credential
// store; encoding="crypt" is protected by FileZilla's master password and listed as needing the password.
// <Folder> elements become the connection's group.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { FerryError } from '../../../shared/errors';
import { registerSecret } from '../../../shared/redact';
import type { ConnectionDraftInput } from '../../../shared/connections';
import type { ParsedFile, ParsedSite } from './types';

type XmlNode = Record<string, unknown>;

const PROTOCOL_NAMES: Record<string, string> = {
  '1': 'SFTP',
  '2': 'HTTP',
  '5': 'HTTPS',
  '7': 'Amazon S3 (FileZilla Pro)',
  '8': 'Storj',
  '9': 'WebDAV',
  '10': 'Azure File Storage',
  '11': 'Azure Blob Storage (FileZilla Pro)',
  '12': 'OpenStack Swift',
  '13': 'Google Cloud Storage',
  '14': 'Google Drive',
  '15': 'Dropbox',
  '16': 'Microsoft OneDrive',
  '17': 'Backblaze B2',
  '18': 'Box',
};

export function looksLikeFileZilla(text: string): boolean {
  return /<FileZilla3[\s>]/.test(text.slice(0, 2000));
}

export function parseFileZilla(text: string): ParsedFile {
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new FerryError(
      'InvalidInput',
      `This FileZilla file is not well-formed XML (line ${valid.err.line}: ${valid.err.msg}). Export the sites again from FileZilla (File → Export).`,
    );
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    // Keep every value a string: a password "0012" must not become the number 12.
    parseTagValue: false,
    parseAttributeValue: false,
    // Passwords may start or end with spaces; other fields are trimmed one by one.
    trimValues: false,
    isArray: (name) => name === 'Server' || name === 'Folder',
    ignoreDeclaration: true,
    ignorePiTags: true,
  });
  const root = (parser.parse(text) as XmlNode).FileZilla3 as XmlNode | undefined;
  if (!root)
    throw new FerryError('InvalidInput', 'This XML file has no <FileZilla3> element; it is not a FileZilla site list.');
  const sites: ParsedSite[] = [];
  for (const container of [root.Servers, root.RecentServers]) {
    if (container && typeof container === 'object') walk(container as XmlNode, [], sites);
  }
  return { sites, warnings: sites.length === 0 ? ['The file lists no sites.'] : [] };
}

function walk(node: XmlNode, folders: string[], out: ParsedSite[]): void {
  for (const server of asArray(node.Server)) out.push(parseServer(server, folders, out.length));
  for (const folder of asArray(node.Folder)) {
    const name = textOf(folder).trim().split('\n')[0]!.trim() || 'Folder';
    walk(folder, [...folders, name.replace(/\//g, '∕')], out);
  }
}

function parseServer(server: XmlNode, folders: string[], index: number): ParsedSite {
  const field = (name: string) => textOf(server[name]).trim();
  const host = field('Host');
  const name = field('Name') || host || `Site ${index + 1}`;
  const group = folders.join('/');
  const site: ParsedSite = {
    key: `filezilla-${index + 1}`,
    source: `FileZilla: ${group ? `${group}/` : ''}${name}`,
    secrets: {},
    warnings: [],
  };
  const protocol = field('Protocol') || '0';
  const tls =
    protocol === '3'
      ? 'implicit'
      : protocol === '4'
        ? 'explicit'
        : protocol === '0' || protocol === '6'
          ? 'none'
          : undefined;
  if (tls === undefined) {
    site.unsupported = true;
    site.warnings.push(
      `${PROTOCOL_NAMES[protocol] ?? `Protocol ${protocol}`} is not supported by FileFerry (FTP, FTPS, S3 and Azure Blob are).`,
    );
    return site;
  }
  if (protocol === '0') {
    site.warnings.push(
      'FileZilla would switch to TLS when the server offers it; FileFerry will connect without TLS. Edit the connection to use explicit TLS if the server supports it.',
    );
  }

  const port = Number.parseInt(field('Port'), 10);
  const logonType = field('Logontype') || '1';
  const draft: ConnectionDraftInput = {
    name,
    spec: {
      kind: tls === 'none' ? 'ftp' : 'ftps',
      host,
      ...(Number.isInteger(port) && port > 0 ? { port } : {}),
      user: logonType === '0' ? 'anonymous' : field('User') || 'anonymous',
      tls,
      ...maxConnections(field('MaximumMultipleConnections')),
    },
    ...(group ? { group } : {}),
    ...(field('Comments') ? { notes: field('Comments') } : {}),
    ...(remoteDir(field('RemoteDir')) ? { defaultRemoteFolder: remoteDir(field('RemoteDir')) } : {}),
    ...(field('LocalDir') ? { defaultLocalFolder: field('LocalDir') } : {}),
  };
  site.draft = draft;

  if (logonType === '0') return site;
  if (logonType === '4') site.warnings.push('FileZilla sends an ACCT account for this site; FileFerry does not.');
  if (logonType === '2' || logonType === '3') {
    site.missingSecrets = ['password'];
    site.warnings.push('FileZilla asks for this password at each connection; enter it in FileFerry to save it.');
    return site;
  }
  const pass = server.Pass;
  const encoding = typeof pass === 'object' && pass !== null ? textOf((pass as XmlNode)['@_encoding']) : '';
  const raw = textOf(pass);
  if (encoding === 'crypt') {
    site.missingSecrets = ['password'];
    site.warnings.push(
      "The password is encrypted with FileZilla's master password; enter it in FileFerry after the import.",
    );
  } else if (encoding === 'base64') {
    const password = Buffer.from(raw.trim(), 'base64').toString('utf8');
    if (password) site.secrets.password = password;
  } else if (encoding === '' || encoding === 'plain') {
    if (raw) site.secrets.password = raw;
  } else {
    site.missingSecrets = ['password'];
    site.warnings.push(
      `The password uses an encoding FileFerry does not know ("${encoding}"); enter it after the import.`,
    );
  }
  registerSecret(site.secrets.password);
  if (!site.secrets.password && !site.missingSecrets) site.missingSecrets = ['password'];
  return site;
}

/**
 * FileZilla's CServerPath serialisation: "<type> <prefixLength> <prefix> (<length> <segment>)*", each
 * segment length-prefixed so it may contain spaces, e.g. "1 0 4 home 3 bob" → "/home/bob".
 */
export function parseFileZillaRemoteDir(value: string): string | undefined {
  const match = /^(\d+) (\d+) /.exec(value);
  if (!match) return undefined;
  let at = match[0].length + Number(match[2]);
  if (Number(match[2]) > 0) at += 1;
  const segments: string[] = [];
  while (at < value.length) {
    const lengthMatch = /^(\d+) /.exec(value.slice(at));
    if (!lengthMatch) return undefined;
    at += lengthMatch[0].length;
    const length = Number(lengthMatch[1]);
    segments.push(value.slice(at, at + length));
    at += length + 1;
  }
  return '/' + segments.join('/');
}

function remoteDir(value: string): string | undefined {
  return value ? parseFileZillaRemoteDir(value) : undefined;
}

function maxConnections(value: string): { maxConnections?: number } {
  const n = Number.parseInt(value, 10);
  return Number.isInteger(n) && n >= 1 && n <= 10 ? { maxConnections: n } : {};
}

function asArray(value: unknown): XmlNode[] {
  if (Array.isArray(value)) return value.filter((v): v is XmlNode => typeof v === 'object' && v !== null);
  return typeof value === 'object' && value !== null ? [value as XmlNode] : [];
}

/** The text of an element parsed without trimming: a plain string, or the '#text' of one with attributes. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && '#text' in value) return String((value as XmlNode)['#text']);
  return '';
}

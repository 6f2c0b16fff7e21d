// Fixture files for the import tests, written the way FileZilla, rclone and the AWS CLI write them.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectionStore } from '../../main/core/connections';
import { SessionCredentialStore } from '../../main/core/credentials';
import { obscureRclonePassword } from '../../main/core/imports';

/** Temporary folders of one test file; call remove() in after(). */
export class TempFolders {
  private readonly dirs: string[] = [];

  async make(prefix = 'ferry-import-'): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  /** Writes `text` as `name` in a fresh folder; returns its path. */
  async file(name: string, text: string): Promise<string> {
    const path = join(await this.make(), name);
    await writeFile(path, text);
    return path;
  }

  /** A connection store in a fresh folder, with a session-only credential store to inspect. */
  async store(): Promise<{ store: ConnectionStore; credentials: SessionCredentialStore; dataDir: string }> {
    const dataDir = await this.make('ferry-import-data-');
    const credentials = new SessionCredentialStore('test');
    return { store: new ConnectionStore({ dataDir, credentials }), credentials, dataDir };
  }

  async remove(): Promise<void> {
    for (const dir of this.dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  }
}

export interface FileZillaSite {
  name: string;
  host: string;
  port: number;
  protocol: number;
  user?: string;
  logontype?: number;
  /** [encoding attribute or undefined for none, text] */
  pass?: [string | undefined, string];
  remoteDir?: string;
  comments?: string;
}

const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function serverXml(site: FileZillaSite, indent: string): string {
  const pass = site.pass
    ? `${indent}  <Pass${site.pass[0] ? ` encoding="${site.pass[0]}"` : ''}${site.pass[0] === 'crypt' ? ' pubkey="ABCDEF0123"' : ''}>${esc(site.pass[1])}</Pass>\n`
    : '';
  return (
    `${indent}<Server>\n` +
    `${indent}  <Host>${site.host}</Host>\n${indent}  <Port>${site.port}</Port>\n${indent}  <Protocol>${site.protocol}</Protocol>\n` +
    `${indent}  <Type>0</Type>\n${indent}  <User>${esc(site.user ?? '')}</User>\n${pass}` +
    `${indent}  <Logontype>${site.logontype ?? 1}</Logontype>\n${indent}  <TimezoneOffset>0</TimezoneOffset>\n` +
    `${indent}  <PasvMode>MODE_DEFAULT</PasvMode>\n${indent}  <MaximumMultipleConnections>0</MaximumMultipleConnections>\n` +
    `${indent}  <EncodingType>Auto</EncodingType>\n${indent}  <BypassProxy>0</BypassProxy>\n` +
    `${indent}  <Name>${esc(site.name)}</Name>\n${indent}  <Comments>${esc(site.comments ?? '')}</Comments>\n${indent}  <Colour>0</Colour>\n` +
    `${indent}  <LocalDir />\n${indent}  <RemoteDir>${site.remoteDir ?? ''}</RemoteDir>\n${indent}  <SyncBrowsing>0</SyncBrowsing>\n` +
    `${indent}  <DirectoryComparison>0</DirectoryComparison>\n${indent}</Server>\n`
  );
}

/** A sitemanager.xml: top-level sites, then a "Clients" folder with sites and a nested "Acme" folder. */
export function siteManagerXml(
  top: FileZillaSite[],
  clients: FileZillaSite[] = [],
  acme: FileZillaSite[] = [],
): string {
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>\n<FileZilla3 version="3.66.4" platform="*nix">\n  <Servers>\n' +
    top.map((s) => serverXml(s, '    ')).join('') +
    '    <Folder expanded="1">Clients\n' +
    clients.map((s) => serverXml(s, '      ')).join('') +
    '      <Folder expanded="0">Acme\n' +
    acme.map((s) => serverXml(s, '        ')).join('') +
    '      </Folder>\n    </Folder>\n  </Servers>\n</FileZilla3>\n'
  );
}

export const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

export interface RcloneFixture {
  ftp?: { name: string; host: string; port: number; user: string; password: string; tls?: 'explicit' | 'implicit' };
  s3?: { name: string; accessKeyId: string; secretAccessKey: string; endpoint: string; region?: string };
  azure?: { name: string; account: string; key: string; endpoint?: string };
}

export function rcloneConf(f: RcloneFixture): string {
  const parts: string[] = ['# rclone.conf written for a FileFerry test'];
  if (f.ftp) {
    parts.push(
      `[${f.ftp.name}]`,
      'type = ftp',
      `host = ${f.ftp.host}`,
      `port = ${f.ftp.port}`,
      `user = ${f.ftp.user}`,
      `pass = ${obscureRclonePassword(f.ftp.password)}`,
      ...(f.ftp.tls === 'implicit' ? ['tls = true'] : f.ftp.tls === 'explicit' ? ['explicit_tls = true'] : []),
      '',
    );
  }
  if (f.s3) {
    parts.push(
      `[${f.s3.name}]`,
      'type = s3',
      'provider = Other',
      `access_key_id = ${f.s3.accessKeyId}`,
      `secret_access_key = ${f.s3.secretAccessKey}`,
      `endpoint = ${f.s3.endpoint}`,
      ...(f.s3.region ? [`region = ${f.s3.region}`] : []),
      'force_path_style = true',
      '',
    );
  }
  if (f.azure) {
    parts.push(
      `[${f.azure.name}]`,
      'type = azureblob',
      `account = ${f.azure.account}`,
      `key = ${f.azure.key}`,
      ...(f.azure.endpoint ? [`endpoint = ${f.azure.endpoint}`] : []),
      '',
    );
  }
  return parts.join('\n');
}

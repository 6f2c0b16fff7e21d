// rclone.conf remotes of the kinds FileFerry has providers for: ftp, s3 and azureblob. Option names follow
// rclone's backend docs (rclone.org/ftp, /s3, /azureblob). Of these, only ftp's `pass` is obscured
// (revealed with rclone-obscure.ts); s3's secret_access_key and azureblob's key and sas_url are stored by
// rclone as written. Every secret goes to the credential store, never into connections.json.
import { userInfo } from 'node:os';
import { S3_STORAGE_CLASSES, AZURE_TIERS, type ConnectionSpecInput } from '../../../shared/connection';
import { FerryError } from '../../../shared/errors';
import { registerSecret } from '../../../shared/redact';
import { iniBool, parseIni, type IniSection } from './ini';
import { revealRclonePassword } from './rclone-obscure';
import type { ParsedFile, ParsedSite } from './types';

/** Azurite's published development account, which rclone's use_emulator option implies. */
const EMULATOR_ACCOUNT = 'devstoreaccount1';
const EMULATOR_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const EMULATOR_ENDPOINT = 'http://127.0.0.1:10000/devstoreaccount1';

export function looksLikeRclone(text: string): boolean {
  return isEncryptedRclone(text) || parseIni(text).some((s) => s.values.type !== undefined);
}

function isEncryptedRclone(text: string): boolean {
  return /^RCLONE_ENCRYPT_V\d+:/m.test(text);
}

export function parseRcloneConfig(text: string): ParsedFile {
  if (isEncryptedRclone(text)) {
    throw new FerryError(
      'Unsupported',
      'This rclone configuration is encrypted. Save a decrypted copy with "rclone config show > plain.conf" (it asks for the configuration password), import that, then delete it.',
    );
  }
  const sites = parseIni(text).map((section, index) => parseRemote(section, index));
  return { sites, warnings: sites.length === 0 ? ['The file defines no remotes.'] : [] };
}

function parseRemote(section: IniSection, index: number): ParsedSite {
  const site: ParsedSite = {
    key: `rclone-${index + 1}`,
    source: `rclone: [${section.name}]`,
    secrets: {},
    warnings: [],
  };
  const type = section.values.type ?? '';
  try {
    switch (type) {
      case 'ftp':
        return parseFtp(section, site);
      case 's3':
        return parseS3(section, site);
      case 'azureblob':
        return parseAzureBlob(section, site);
      default:
        site.unsupported = true;
        site.warnings.push(
          `rclone "${type || 'untyped'}" remotes are not supported by FileFerry (ftp, s3 and azureblob are).`,
        );
        return site;
    }
  } finally {
    for (const value of Object.values(site.secrets)) registerSecret(value);
  }
}

function parseFtp(section: IniSection, site: ParsedSite): ParsedSite {
  const v = section.values;
  const implicit = iniBool(v.tls) === true;
  const explicit = iniBool(v.explicit_tls) === true;
  const tls = implicit ? 'implicit' : explicit ? 'explicit' : 'none';
  let user = v.user;
  if (!user) {
    user = userInfo().username;
    site.warnings.push(`No user is set; rclone logs in as your OS user, so the connection uses "${user}".`);
  }
  const spec: ConnectionSpecInput = { kind: tls === 'none' ? 'ftp' : 'ftps', host: v.host ?? '', user, tls };
  if (v.port) spec.port = Number.parseInt(v.port, 10);
  const concurrency = Number.parseInt(v.concurrency ?? '', 10);
  if (concurrency >= 1 && concurrency <= 10) spec.maxConnections = concurrency;
  if (iniBool(v.no_check_certificate)) {
    site.warnings.push(
      "rclone skips certificate checks for this remote; FileFerry verifies them. Pin the server's certificate fingerprint if it is self-signed.",
    );
  }
  site.draft = { name: section.name, spec };
  if (v.pass) {
    try {
      site.secrets.password = revealRclonePassword(v.pass);
    } catch {
      site.missingSecrets = ['password'];
      site.warnings.push("The password is not in rclone's obscured form; enter it after the import.");
    }
  } else if (iniBool(v.ask_password)) {
    site.missingSecrets = ['password'];
    site.warnings.push('rclone asks for this password each time; enter it in FileFerry to save it.');
  }
  return site;
}

function parseS3(section: IniSection, site: ParsedSite): ParsedSite {
  const v = section.values;
  const spec: ConnectionSpecInput = { kind: 's3' };
  if (v.region && v.region !== 'other-v2-signature') spec.region = v.region;
  if (v.endpoint) spec.endpoint = /^[a-z][a-z0-9+.-]*:\/\//i.test(v.endpoint) ? v.endpoint : `https://${v.endpoint}`;
  const pathStyle = iniBool(v.force_path_style);
  if (pathStyle !== undefined) spec.pathStyle = pathStyle;
  const storageClass = (v.storage_class ?? '').toUpperCase();
  if ((S3_STORAGE_CLASSES as readonly string[]).includes(storageClass))
    spec.storageClass = storageClass as (typeof S3_STORAGE_CLASSES)[number];
  if (v.access_key_id) {
    spec.auth = 'keys';
    spec.accessKeyId = v.access_key_id;
    if (v.secret_access_key) site.secrets.secretAccessKey = v.secret_access_key;
    else site.missingSecrets = ['secretAccessKey'];
    if (v.session_token) site.secrets.sessionToken = v.session_token;
  } else if (v.profile) {
    spec.auth = 'profile';
    spec.profile = v.profile;
  } else {
    spec.auth = 'env';
    if (!iniBool(v.env_auth))
      site.warnings.push('No access key is set; the connection takes AWS credentials from the environment.');
  }
  if (v.provider && v.provider !== 'AWS')
    site.warnings.push(`rclone provider "${v.provider}": check the endpoint and path-style settings.`);
  site.draft = { name: section.name, spec };
  return site;
}

function parseAzureBlob(section: IniSection, site: ParsedSite): ParsedSite {
  const v = section.values;
  const spec: ConnectionSpecInput = { kind: 'azure-blob' };
  const tier = AZURE_TIERS.find((t) => t.toLowerCase() === (v.access_tier ?? '').toLowerCase());
  if (tier) spec.accessTier = tier;
  if (v.endpoint) spec.endpoint = v.endpoint;
  if (v.account) spec.account = v.account;

  if (iniBool(v.use_emulator)) {
    spec.auth = 'key';
    spec.account = v.account || EMULATOR_ACCOUNT;
    spec.endpoint = v.endpoint || EMULATOR_ENDPOINT;
    site.secrets.accountKey = v.key || EMULATOR_KEY;
  } else if (v.key) {
    spec.auth = 'key';
    site.secrets.accountKey = v.key;
  } else if (v.sas_url) {
    spec.auth = 'sas';
    const parsed = splitSasUrl(v.sas_url);
    if (parsed) {
      spec.endpoint = parsed.endpoint;
      if (parsed.account) spec.account = parsed.account;
      if (parsed.container) spec.container = parsed.container;
      site.secrets.sasToken = parsed.sasToken;
    } else {
      site.missingSecrets = ['sasToken'];
      site.warnings.push('The SAS URL could not be read; enter the SAS token after the import.');
    }
  } else if (v.client_id || v.tenant || iniBool(v.env_auth) || iniBool(v.use_msi)) {
    spec.auth = 'entra';
    if (v.tenant) spec.tenantId = v.tenant;
    if (v.client_id) spec.clientId = v.client_id;
    site.warnings.push(
      'FileFerry signs in to Entra ID interactively; a service principal secret, certificate or managed identity is not imported.',
    );
  } else {
    spec.auth = 'key';
    site.missingSecrets = ['accountKey'];
    site.warnings.push(
      'No key or SAS URL is set (anonymous access); enter an account key or SAS token after the import.',
    );
  }
  if (!spec.account && !spec.endpoint) site.warnings.push('No storage account is set; edit the connection to add one.');
  site.draft = { name: section.name, spec };
  return site;
}

/**
 * https://acct.blob.core.windows.net/container?sv=… → endpoint, account, container and the SAS token; for
 * path-style hosts (Azurite: http://127.0.0.1:10000/devstoreaccount1/container?…) the account is the first
 * path segment and stays part of the endpoint.
 */
export function splitSasUrl(
  sasUrl: string,
): { endpoint: string; account?: string; container?: string; sasToken: string } | undefined {
  let url: URL;
  try {
    url = new URL(sasUrl);
  } catch {
    return undefined;
  }
  const sasToken = url.search.replace(/^\?/, '');
  if (!sasToken) return undefined;
  const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const pathStyle = /^(\d+\.\d+\.\d+\.\d+|localhost|\[.*\])$/.test(url.hostname);
  if (pathStyle) {
    const [account, container] = segments;
    return { endpoint: `${url.origin}/${account ?? ''}`, account, container, sasToken };
  }
  return { endpoint: url.origin, account: url.hostname.split('.')[0], container: segments[0], sasToken };
}

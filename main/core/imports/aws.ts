// AWS shared config profiles (~/.aws/config and ~/.aws/credentials) as credential sources for S3
// connections. A profile is referenced by name (spec.auth 'profile'); its keys stay where they are and are
// never copied: the AWS SDK reads them at connect time, and key rotation or SSO keeps working.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { parseIni } from './ini';
import type { ParsedFile, ParsedSite } from './types';

export interface AwsProfile {
  name: string;
  region?: string;
  /** How the SDK gets credentials for it (for people choosing one), never the credentials themselves. */
  credentialSource: 'access keys' | 'SSO' | 'assumed role' | 'credential process' | 'web identity' | 'none found';
  /** S3-compatible endpoint set in the profile (endpoint_url). */
  endpoint?: string;
}

export interface AwsConfigFiles {
  /** Default: AWS_CONFIG_FILE or ~/.aws/config. */
  configFile?: string;
  /** Default: AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials. */
  credentialsFile?: string;
}

export function defaultAwsConfigFiles(env: NodeJS.ProcessEnv = process.env): Required<AwsConfigFiles> {
  return {
    configFile: env.AWS_CONFIG_FILE || join(homedir(), '.aws', 'config'),
    credentialsFile: env.AWS_SHARED_CREDENTIALS_FILE || join(homedir(), '.aws', 'credentials'),
  };
}

/** Profiles from both files, merged by name, sorted with "default" first. Missing files are no error. */
export async function listAwsProfiles(files: AwsConfigFiles = {}): Promise<AwsProfile[]> {
  const paths = { ...defaultAwsConfigFiles(), ...files };
  const [config, credentials] = await Promise.all([
    readIfExists(paths.configFile),
    readIfExists(paths.credentialsFile),
  ]);
  return profilesFrom(config, credentials);
}

export function profilesFrom(configText: string | undefined, credentialsText: string | undefined): AwsProfile[] {
  const merged = new Map<string, Record<string, string>>();
  for (const section of parseIni(configText ?? '')) {
    // config: [default], [profile NAME]; [sso-session X] and [services X] are not profiles.
    const name = section.name === 'default' ? 'default' : /^profile\s+(.+)$/.exec(section.name)?.[1]?.trim();
    if (name) merged.set(name, { ...merged.get(name), ...section.values });
  }
  for (const section of parseIni(credentialsText ?? '')) {
    merged.set(section.name, { ...merged.get(section.name), ...section.values });
  }
  const profiles = [...merged].map(([name, values]): AwsProfile => {
    const profile: AwsProfile = { name, credentialSource: credentialSource(values) };
    if (values.region) profile.region = values.region;
    if (values.endpoint_url) profile.endpoint = values.endpoint_url;
    return profile;
  });
  return profiles.sort((a, b) => (a.name === 'default' ? -1 : b.name === 'default' ? 1 : a.name.localeCompare(b.name)));
}

function credentialSource(values: Record<string, string>): AwsProfile['credentialSource'] {
  if (values.aws_access_key_id) return 'access keys';
  if (values.sso_session || values.sso_start_url) return 'SSO';
  if (values.role_arn && values.web_identity_token_file) return 'web identity';
  if (values.role_arn) return 'assumed role';
  if (values.credential_process) return 'credential process';
  return 'none found';
}

export function looksLikeAws(text: string, fileName: string): boolean {
  const sections = parseIni(text);
  if (sections.length === 0 || sections.some((s) => s.values.type !== undefined)) return false;
  const awsKeys =
    /^(aws_access_key_id|aws_secret_access_key|aws_session_token|region|output|sso_start_url|sso_session|role_arn|source_profile|credential_process|endpoint_url)$/;
  return (
    /^(config|credentials)$/.test(basename(fileName)) ||
    sections.some((s) => s.name === 'default' || s.name.startsWith('profile ')) ||
    sections.some((s) => Object.keys(s.values).some((k) => awsKeys.test(k)))
  );
}

/** Every profile as an importable S3 connection that refers to it by name. */
export async function parseAwsFile(text: string, file: string): Promise<ParsedFile> {
  // Read the sibling file too: a profile's region lives in config, its keys in credentials.
  const isCredentials = basename(file) === 'credentials';
  const sibling = await readIfExists(join(dirname(file), isCredentials ? 'config' : 'credentials'));
  const profiles = isCredentials ? profilesFrom(sibling, text) : profilesFrom(text, sibling);
  const sites = profiles.map((profile, index): ParsedSite => ({
    key: `aws-${index + 1}`,
    source: `AWS profile: ${profile.name}`,
    draft: {
      name: `AWS ${profile.name}`,
      spec: {
        kind: 's3',
        auth: 'profile',
        profile: profile.name,
        ...(profile.region ? { region: profile.region } : {}),
        ...(profile.endpoint ? { endpoint: profile.endpoint } : {}),
      },
    },
    secrets: {},
    warnings: [
      `Credentials stay in your AWS configuration (${profile.credentialSource}); FileFerry refers to the profile by name.`,
      ...(profile.credentialSource === 'none found'
        ? ['This profile has no credentials FileFerry can see; the connection may fail.']
        : []),
    ],
  }));
  return { sites, warnings: sites.length === 0 ? ['The file defines no profiles.'] : [] };
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

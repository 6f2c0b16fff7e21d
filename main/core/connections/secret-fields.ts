// Which secrets a connection uses, by kind and authentication method.
import type { ConnectionKind, SecretField } from '../../../shared/connection';

/** Secret fields that mean something for each kind; others are refused rather than stored unused. */
export const SECRET_FIELDS_BY_KIND: Readonly<Record<ConnectionKind, readonly SecretField[]>> = {
  local: [],
  ftp: ['password'],
  ftps: ['password'],
  s3: ['secretAccessKey', 'sessionToken'],
  'azure-blob': ['accountKey', 'connectionString', 'sasToken', 'tokenCache'],
};

/**
 * The secret a person must supply for this spec to work (the one the CLI asks for), or undefined when it
 * authenticates without one: anonymous FTP, S3 through a profile or the environment, Azure through Entra ID.
 * Takes unparsed input, so defaults are applied here as the schemas apply them.
 */
export function requiredSecretField(spec: { kind: string; user?: unknown; auth?: unknown }): SecretField | undefined {
  switch (spec.kind) {
    case 'ftp':
    case 'ftps':
      return spec.user === undefined || spec.user === 'anonymous' ? undefined : 'password';
    case 's3':
      return spec.auth === 'keys' ? 'secretAccessKey' : undefined;
    case 'azure-blob':
      return spec.auth === 'key'
        ? 'accountKey'
        : spec.auth === 'sas'
          ? 'sasToken'
          : spec.auth === 'entra'
            ? undefined
            : 'connectionString';
    default:
      return undefined;
  }
}

// The connection editor's model: what the form holds (text as typed, so a half-typed port is not lost), how a
// saved connection fills it, and how it becomes a draft for connections.add / connections.update. The draft is
// checked with the same schema the main process applies (shared/connections.ts), so a mistake is shown beside
// its field before anything is sent. Settings the form does not show (pinned certificates, part sizes,
// checksum mode) are carried over from the saved spec unchanged.
import type { ConnectionSpec, SecretField } from '../../../shared/connection';
import { connectionDraftSchema, type ConnectionDraftInput } from '../../../shared/connections';

/** The protocols the editor offers; FTP and FTPS are one family, told apart by the TLS mode. */
export type Family = 'ftp' | 's3' | 'azure-blob' | 'local';
export type TlsMode = 'none' | 'explicit' | 'implicit';
export type S3Auth = 'profile' | 'env' | 'keys';
export type AzureAuth = 'connection-string' | 'key' | 'sas' | 'entra';
export type PathStyle = 'auto' | 'path' | 'virtual';

export interface ConnectionForm {
  name: string;
  group: string;
  defaultRemoteFolder: string;
  notes: string;
  family: Family;
  // FTP and FTPS
  host: string;
  port: string;
  user: string;
  tls: TlsMode;
  temporaryNames: boolean;
  timeoutSeconds: string;
  operationTimeoutSeconds: string;
  // S3
  bucket: string;
  region: string;
  pathStyle: PathStyle;
  s3Auth: S3Auth;
  profile: string;
  accessKeyId: string;
  storageClass: string;
  // Azure Blob
  account: string;
  container: string;
  azureAuth: AzureAuth;
  tenantId: string;
  clientId: string;
  /** Entra ID authority URL: sovereign clouds, or a test identity provider. */
  authority: string;
  accessTier: string;
  // S3 and Azure
  endpoint: string;
  // every remote kind ('' = the kind's default)
  maxConnections: string;
  // a local folder (the CLI can save one; the manager shows and edits it too)
  root: string;
}

export type FormField = keyof ConnectionForm;

export const EMPTY_FORM: ConnectionForm = {
  name: '',
  group: '',
  defaultRemoteFolder: '',
  notes: '',
  family: 'ftp',
  host: '',
  port: '',
  user: '',
  tls: 'explicit',
  temporaryNames: true,
  timeoutSeconds: '',
  operationTimeoutSeconds: '',
  bucket: '',
  region: '',
  pathStyle: 'auto',
  s3Auth: 'env',
  profile: '',
  accessKeyId: '',
  storageClass: '',
  account: '',
  container: '',
  azureAuth: 'connection-string',
  tenantId: '',
  clientId: '',
  authority: '',
  accessTier: '',
  endpoint: '',
  maxConnections: '',
  root: '',
};

export const FAMILY_LABELS: Record<Family, string> = {
  ftp: 'FTP / FTPS',
  s3: 'Amazon S3 or compatible',
  'azure-blob': 'Azure Blob Storage',
  local: 'Local folder',
};

export const SECRET_LABELS: Record<SecretField, string> = {
  password: 'Password',
  secretAccessKey: 'Secret access key',
  sessionToken: 'Session token',
  accountKey: 'Account key',
  connectionString: 'Connection string',
  sasToken: 'SAS token',
  tokenCache: 'Entra ID sign-in',
  apiKey: 'API key',
};

/** Defaults the schemas apply, shown as placeholders so an empty field says what it means. */
export const DEFAULTS = {
  ftpPort: { none: 21, explicit: 21, implicit: 990 } as Record<TlsMode, number>,
  ftpMaxConnections: 2,
  cloudMaxConnections: 4,
  timeoutSeconds: 30,
  operationTimeoutSeconds: 120,
};

export function familyOf(kind: ConnectionSpec['kind']): Family {
  return kind === 'ftp' || kind === 'ftps' ? 'ftp' : kind;
}

const text = (value: string | number | undefined) => (value === undefined ? '' : String(value));
const seconds = (ms: number | undefined) => (ms === undefined ? '' : String(ms / 1000));

/** A saved connection as the form shows it. */
export function formFromSpec(
  summary: { name: string; group?: string; defaultRemoteFolder?: string; notes?: string },
  spec: ConnectionSpec,
): ConnectionForm {
  const form: ConnectionForm = {
    ...EMPTY_FORM,
    name: summary.name,
    group: summary.group ?? '',
    defaultRemoteFolder: summary.defaultRemoteFolder ?? '',
    notes: summary.notes ?? '',
  };
  switch (spec.kind) {
    case 'ftp':
    case 'ftps': {
      const maxChanged = spec.maxConnections !== DEFAULTS.ftpMaxConnections;
      const timeoutChanged = spec.timeoutMs !== DEFAULTS.timeoutSeconds * 1000;
      return {
        ...form,
        family: 'ftp',
        host: spec.host,
        port: text(spec.port),
        user: spec.user === 'anonymous' ? '' : spec.user,
        tls: spec.kind === 'ftp' ? 'none' : spec.tls === 'none' ? 'explicit' : spec.tls,
        temporaryNames: spec.temporaryNames,
        maxConnections: maxChanged ? text(spec.maxConnections) : '',
        timeoutSeconds: timeoutChanged ? seconds(spec.timeoutMs) : '',
        operationTimeoutSeconds: seconds(spec.operationTimeoutMs),
      };
    }
    case 's3':
      return {
        ...form,
        family: 's3',
        bucket: spec.bucket ?? '',
        region: spec.region ?? '',
        endpoint: spec.endpoint ?? '',
        pathStyle: spec.pathStyle === undefined ? 'auto' : spec.pathStyle ? 'path' : 'virtual',
        s3Auth: spec.auth,
        profile: spec.profile ?? '',
        accessKeyId: spec.accessKeyId ?? '',
        storageClass: spec.storageClass ?? '',
        maxConnections: spec.maxConnections !== DEFAULTS.cloudMaxConnections ? text(spec.maxConnections) : '',
      };
    case 'azure-blob':
      return {
        ...form,
        family: 'azure-blob',
        account: spec.account ?? '',
        container: spec.container ?? '',
        endpoint: spec.endpoint ?? '',
        azureAuth: spec.auth,
        tenantId: spec.tenantId ?? '',
        clientId: spec.clientId ?? '',
        authority: spec.authority ?? '',
        accessTier: spec.accessTier ?? '',
        maxConnections: spec.maxConnections !== DEFAULTS.cloudMaxConnections ? text(spec.maxConnections) : '',
      };
    case 'local':
      return { ...form, family: 'local', root: spec.root ?? '' };
  }
}

/** The secrets this form's kind and sign-in method use, in the order the editor shows them. */
export function secretFieldsOf(form: ConnectionForm): SecretField[] {
  switch (form.family) {
    case 'ftp':
      return ['password'];
    case 's3':
      return form.s3Auth === 'keys' ? ['secretAccessKey', 'sessionToken'] : [];
    case 'azure-blob':
      return form.azureAuth === 'connection-string'
        ? ['connectionString']
        : form.azureAuth === 'key'
          ? ['accountKey']
          : form.azureAuth === 'sas'
            ? ['sasToken']
            : [];
    case 'local':
      return [];
  }
}

export type FormErrors = Partial<Record<FormField, string>>;

/** A whole number typed into a field: undefined when empty, an error message when it is not one. */
function wholeNumber(
  value: string,
  field: FormField,
  label: string,
  errors: FormErrors,
  scale = 1,
): number | undefined {
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  const number = Number(trimmed);
  if (!Number.isFinite(number) || number < 0 || !Number.isInteger(number * scale)) {
    errors[field] = `${label} is a whole number`;
    return undefined;
  }
  return Math.round(number * scale);
}

const optional = (value: string) => (value.trim() === '' ? undefined : value.trim());

/** Drops keys whose value is undefined: JSON would drop them anyway, and the schemas treat absent as default. */
function defined<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}

/**
 * The draft a form describes, or the problems to show beside its fields. `saved` is the saved connection: fields the
 * form does not show are kept from it when the kind family is the same.
 */
export function draftFromForm(
  form: ConnectionForm,
  saved?: { spec: ConnectionSpec; group?: string; notes?: string; defaultRemoteFolder?: string },
): { draft: ConnectionDraftInput; errors: FormErrors } {
  const errors: FormErrors = {};
  const base = saved?.spec;
  const maxConnections = wholeNumber(form.maxConnections, 'maxConnections', 'Connections at once', errors);
  let spec: Record<string, unknown>;
  switch (form.family) {
    case 'ftp': {
      const kept = base && familyOf(base.kind) === 'ftp' ? base : undefined;
      if (!form.host.trim()) errors.host = "Enter the server's host name or IP address";
      spec = {
        ...kept,
        kind: form.tls === 'none' ? 'ftp' : 'ftps',
        host: form.host.trim(),
        port: wholeNumber(form.port, 'port', 'The port', errors),
        user: optional(form.user) ?? 'anonymous',
        tls: form.tls,
        temporaryNames: form.temporaryNames,
        maxConnections,
        timeoutMs: wholeNumber(form.timeoutSeconds, 'timeoutSeconds', 'The idle timeout', errors, 1000),
        operationTimeoutMs: wholeNumber(
          form.operationTimeoutSeconds,
          'operationTimeoutSeconds',
          'The operation deadline',
          errors,
          1000,
        ),
      };
      break;
    }
    case 's3': {
      const kept = base?.kind === 's3' ? base : undefined;
      if (form.s3Auth === 'keys' && !form.accessKeyId.trim()) errors.accessKeyId = 'Enter the access key id';
      spec = {
        ...kept,
        kind: 's3',
        bucket: optional(form.bucket),
        region: optional(form.region),
        endpoint: optional(form.endpoint),
        pathStyle: form.pathStyle === 'auto' ? undefined : form.pathStyle === 'path',
        auth: form.s3Auth,
        profile: form.s3Auth === 'profile' ? optional(form.profile) : undefined,
        accessKeyId: form.s3Auth === 'keys' ? optional(form.accessKeyId) : undefined,
        storageClass: optional(form.storageClass),
        maxConnections,
      };
      break;
    }
    case 'azure-blob': {
      const kept = base?.kind === 'azure-blob' ? base : undefined;
      if ((form.azureAuth === 'key' || form.azureAuth === 'entra') && !form.account.trim() && !form.endpoint.trim())
        errors.account = 'Enter the storage account name (or the blob service URL below)';
      if (form.azureAuth === 'entra' && !form.clientId.trim())
        errors.clientId = 'Enter the application (client) ID of your app registration';
      spec = {
        ...kept,
        kind: 'azure-blob',
        account: optional(form.account),
        container: optional(form.container),
        endpoint: optional(form.endpoint),
        auth: form.azureAuth,
        tenantId: form.azureAuth === 'entra' ? optional(form.tenantId) : undefined,
        clientId: form.azureAuth === 'entra' ? optional(form.clientId) : undefined,
        authority: form.azureAuth === 'entra' ? optional(form.authority) : undefined,
        accessTier: optional(form.accessTier),
        maxConnections,
      };
      break;
    }
    case 'local':
      spec = { kind: 'local', root: optional(form.root) };
      break;
  }
  // The fields the form cleared must not survive from the saved spec.
  for (const [key, value] of Object.entries(spec)) if (value === undefined) delete spec[key];
  const draft: ConnectionDraftInput = defined({
    name: form.name.trim(),
    spec: spec as ConnectionDraftInput['spec'],
    // Emptied on a saved connection: '' clears it (absent would keep the saved value).
    group: optional(form.group) ?? (saved?.group ? '' : undefined),
    notes: optional(form.notes) ? form.notes : saved?.notes ? '' : undefined,
    // An emptied folder means the root; absent would keep the saved one (update replaces only what it is given).
    defaultRemoteFolder: optional(form.defaultRemoteFolder) ?? (saved?.defaultRemoteFolder ? '/' : undefined),
  });
  const parsed = connectionDraftSchema.safeParse(draft);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = fieldOfIssue(issue.path);
      if (field && !errors[field]) errors[field] = FRIENDLIER[field] ?? issue.message;
    }
  }
  return { draft, errors };
}

/** Messages that say more than the schema's own ("Invalid URL"). */
const FRIENDLIER: FormErrors = {
  endpoint: 'Enter the whole URL, starting with https:// (or http:// for a local test server)',
  port: 'The port is a number from 1 to 65535',
  authority: 'Enter the whole URL, starting with https://, e.g. https://login.microsoftonline.us/TENANT',
};

/** Which form field a schema issue is about ("spec.timeoutMs" → timeoutSeconds). */
function fieldOfIssue(path: ReadonlyArray<PropertyKey>): FormField | undefined {
  const [top, inner] = path.map(String);
  if (top !== 'spec')
    return top === 'name' || top === 'group' || top === 'notes' || top === 'defaultRemoteFolder' ? top : 'name';
  const bySpecKey: Record<string, FormField> = {
    host: 'host',
    port: 'port',
    user: 'user',
    maxConnections: 'maxConnections',
    timeoutMs: 'timeoutSeconds',
    operationTimeoutMs: 'operationTimeoutSeconds',
    endpoint: 'endpoint',
    bucket: 'bucket',
    region: 'region',
    account: 'account',
    container: 'container',
    tenantId: 'tenantId',
    clientId: 'clientId',
    authority: 'authority',
    root: 'root',
  };
  return inner ? bySpecKey[inner] : undefined;
}

// The fields each kind of connection has: FTP/FTPS (host, port, TLS mode, user, password, and under Advanced
// the connections at once, timeouts and temporary names), S3 (bucket, region, endpoint, credentials, path style,
// storage class), Azure Blob (account, container, endpoint, sign-in method, tier) and a local folder. Secrets
// are rendered by the editor (renderSecret), which knows what is stored.
import { Info } from 'lucide-react';
import { AZURE_TIERS, S3_STORAGE_CLASSES, type SecretField } from '../../../shared/connection';
import {
  DEFAULTS,
  type AzureAuth,
  type ConnectionForm,
  type FormErrors,
  type PathStyle,
  type S3Auth,
  type TlsMode,
} from './connection-form';
import { SelectField, TextField } from './fields';

export interface KindFieldsProps {
  form: ConnectionForm;
  set: (patch: Partial<ConnectionForm>) => void;
  errors: FormErrors;
  renderSecret: (field: SecretField, options?: { optional?: boolean; hint?: string }) => React.ReactNode;
}

const TLS_OPTIONS: ReadonlyArray<{ value: TlsMode; label: string }> = [
  { value: 'explicit', label: 'Explicit TLS (FTPS, AUTH TLS)' },
  { value: 'implicit', label: 'Implicit TLS (FTPS, port 990)' },
  { value: 'none', label: 'None: plain FTP, unencrypted' },
];

export function FtpFields({ form, set, errors, renderSecret }: KindFieldsProps): React.JSX.Element {
  return (
    <>
      <SelectField label="Encryption" value={form.tls} options={TLS_OPTIONS} onChange={(tls) => set({ tls })} />
      <div className="cm-row host-port">
        <TextField
          label="Host"
          value={form.host}
          error={errors.host}
          placeholder="ftp.example.com"
          onChange={(host) => set({ host })}
        />
        <TextField
          label="Port"
          value={form.port}
          error={errors.port}
          inputMode="numeric"
          placeholder={String(DEFAULTS.ftpPort[form.tls])}
          onChange={(port) => set({ port })}
        />
      </div>
      <div className="cm-row">
        <TextField
          label="User"
          value={form.user}
          error={errors.user}
          placeholder="anonymous"
          autoComplete="off"
          onChange={(user) => set({ user })}
        />
        {renderSecret('password', { hint: form.user.trim() ? undefined : 'Not needed for an anonymous login.' })}
      </div>
      {form.tls === 'none' && (
        <p className="cm-note warning">
          <Info size={13} aria-hidden /> Plain FTP sends the password and the files unencrypted. Choose explicit TLS if
          the server offers it.
        </p>
      )}
      <details className="cm-advanced">
        <summary>Advanced</summary>
        <div className="cm-row three">
          <TextField
            label="Connections at once"
            value={form.maxConnections}
            error={errors.maxConnections}
            inputMode="numeric"
            placeholder={String(DEFAULTS.ftpMaxConnections)}
            hint="1 to 10"
            onChange={(maxConnections) => set({ maxConnections })}
          />
          <TextField
            label="Idle timeout (seconds)"
            value={form.timeoutSeconds}
            error={errors.timeoutSeconds}
            inputMode="decimal"
            placeholder={String(DEFAULTS.timeoutSeconds)}
            onChange={(timeoutSeconds) => set({ timeoutSeconds })}
          />
          <TextField
            label="Operation deadline (seconds)"
            value={form.operationTimeoutSeconds}
            error={errors.operationTimeoutSeconds}
            inputMode="decimal"
            placeholder={String(DEFAULTS.operationTimeoutSeconds)}
            hint="0: none"
            onChange={(operationTimeoutSeconds) => set({ operationTimeoutSeconds })}
          />
        </div>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={form.temporaryNames}
            onChange={(event) => set({ temporaryNames: event.target.checked })}
          />
          Upload under a temporary name, renamed when complete
        </label>
        <p className="cm-hint">
          Turn this off for upload-only folders that refuse renames. FileFerry always uses passive mode, which works
          through firewalls and NAT.
        </p>
      </details>
    </>
  );
}

const S3_AUTH_OPTIONS: ReadonlyArray<{ value: S3Auth; label: string }> = [
  { value: 'env', label: 'From the environment (AWS_* variables, SSO, instance role)' },
  { value: 'profile', label: 'An AWS profile (~/.aws/config)' },
  { value: 'keys', label: 'Access key and secret' },
];

const PATH_STYLE_OPTIONS: ReadonlyArray<{ value: PathStyle; label: string }> = [
  { value: 'auto', label: 'Automatic' },
  { value: 'path', label: 'Path-style (host/bucket)' },
  { value: 'virtual', label: 'Virtual-hosted (bucket.host)' },
];

export function S3Fields({ form, set, errors, renderSecret }: KindFieldsProps): React.JSX.Element {
  return (
    <>
      <div className="cm-row">
        <TextField
          label="Bucket"
          value={form.bucket}
          error={errors.bucket}
          placeholder="All buckets"
          onChange={(bucket) => set({ bucket })}
        />
        <TextField
          label="Region"
          value={form.region}
          error={errors.region}
          placeholder="us-east-1"
          onChange={(region) => set({ region })}
        />
      </div>
      <TextField
        label="Endpoint"
        value={form.endpoint}
        error={errors.endpoint}
        placeholder="Amazon S3"
        hint="For S3-compatible servers (MinIO, Wasabi, R2…): their URL, e.g. https://s3.example.com"
        onChange={(endpoint) => set({ endpoint })}
      />
      <SelectField
        label="Credentials"
        value={form.s3Auth}
        options={S3_AUTH_OPTIONS}
        onChange={(s3Auth) => set({ s3Auth })}
      />
      {form.s3Auth === 'profile' && (
        <TextField
          label="Profile"
          value={form.profile}
          error={errors.profile}
          placeholder="default"
          onChange={(profile) => set({ profile })}
        />
      )}
      {form.s3Auth === 'keys' && (
        <>
          <TextField
            label="Access key ID"
            value={form.accessKeyId}
            error={errors.accessKeyId}
            autoComplete="off"
            onChange={(accessKeyId) => set({ accessKeyId })}
          />
          <div className="cm-row">
            {renderSecret('secretAccessKey')}
            {renderSecret('sessionToken', { optional: true, hint: 'Only for temporary credentials.' })}
          </div>
        </>
      )}
      <details className="cm-advanced">
        <summary>Advanced</summary>
        <div className="cm-row">
          <SelectField
            label="Addressing"
            value={form.pathStyle}
            options={PATH_STYLE_OPTIONS}
            onChange={(pathStyle) => set({ pathStyle })}
          />
          <SelectField
            label="Storage class of uploads"
            value={form.storageClass}
            options={[
              { value: '', label: "The bucket's default" },
              ...S3_STORAGE_CLASSES.map((c) => ({ value: c, label: c })),
            ]}
            onChange={(storageClass) => set({ storageClass })}
          />
        </div>
        <TextField
          label="Connections at once"
          className="narrow"
          value={form.maxConnections}
          error={errors.maxConnections}
          inputMode="numeric"
          placeholder={String(DEFAULTS.cloudMaxConnections)}
          onChange={(maxConnections) => set({ maxConnections })}
        />
      </details>
    </>
  );
}

const AZURE_AUTH_OPTIONS: ReadonlyArray<{ value: AzureAuth; label: string }> = [
  { value: 'connection-string', label: 'Connection string' },
  { value: 'key', label: 'Account name and key' },
  { value: 'sas', label: 'SAS token' },
  { value: 'entra', label: 'Entra ID (Microsoft account sign-in)' },
];

export function AzureFields({ form, set, errors, renderSecret }: KindFieldsProps): React.JSX.Element {
  return (
    <>
      <div className="cm-row">
        <TextField
          label="Storage account"
          value={form.account}
          error={errors.account}
          placeholder={form.azureAuth === 'connection-string' ? 'From the connection string' : 'mystorageaccount'}
          onChange={(account) => set({ account })}
        />
        <TextField
          label="Container"
          value={form.container}
          error={errors.container}
          placeholder="All containers"
          onChange={(container) => set({ container })}
        />
      </div>
      <TextField
        label="Blob service URL"
        value={form.endpoint}
        error={errors.endpoint}
        placeholder="https://ACCOUNT.blob.core.windows.net"
        hint="Only for Azurite, sovereign clouds or a private endpoint."
        onChange={(endpoint) => set({ endpoint })}
      />
      <SelectField
        label="Sign-in"
        value={form.azureAuth}
        options={AZURE_AUTH_OPTIONS}
        onChange={(azureAuth) => set({ azureAuth })}
      />
      {form.azureAuth === 'connection-string' && renderSecret('connectionString')}
      {form.azureAuth === 'key' && renderSecret('accountKey')}
      {form.azureAuth === 'sas' &&
        renderSecret('sasToken', { hint: 'The token alone (sv=…&sig=…), or the whole SAS URL.' })}
      {form.azureAuth === 'entra' && (
        <>
          <div className="cm-row">
            <TextField
              label="Tenant ID"
              value={form.tenantId}
              error={errors.tenantId}
              placeholder="organizations"
              onChange={(tenantId) => set({ tenantId })}
            />
            <TextField
              label="Client ID"
              value={form.clientId}
              error={errors.clientId}
              placeholder="Application (client) ID"
              hint="An app registration that allows public-client sign-in."
              onChange={(clientId) => set({ clientId })}
            />
          </div>
          <TextField
            label="Authority"
            value={form.authority}
            error={errors.authority}
            placeholder={`https://login.microsoftonline.com/${form.tenantId.trim() || 'organizations'}`}
            hint="Only for a sovereign cloud (Azure Government, Azure China) or your own identity provider."
            onChange={(authority) => set({ authority })}
          />
          <p className="cm-note">
            <Info size={13} aria-hidden /> The first time the connection is used, FileFerry shows a code to enter on
            Microsoft’s sign-in page, and then remembers the sign-in.
          </p>
          {renderSecret('tokenCache')}
        </>
      )}
      <details className="cm-advanced">
        <summary>Advanced</summary>
        <div className="cm-row">
          <SelectField
            label="Access tier of uploads"
            value={form.accessTier}
            options={[
              { value: '', label: "The account's default" },
              ...AZURE_TIERS.map((t) => ({ value: t, label: t })),
            ]}
            onChange={(accessTier) => set({ accessTier })}
          />
          <TextField
            label="Connections at once"
            value={form.maxConnections}
            error={errors.maxConnections}
            inputMode="numeric"
            placeholder={String(DEFAULTS.cloudMaxConnections)}
            onChange={(maxConnections) => set({ maxConnections })}
          />
        </div>
      </details>
    </>
  );
}

export function LocalFields({ form, set, errors }: KindFieldsProps): React.JSX.Element {
  return (
    <TextField
      label="Folder"
      value={form.root}
      error={errors.root}
      placeholder="/"
      hint="The folder this connection opens as its top level."
      onChange={(root) => set({ root })}
    />
  );
}

// The data the API carries besides the transfer DTOs (shared/transfers.ts) and the provider's Entry: what the
// renderer sees of the app, of saved connections, of a listing and of the settings. All JSON: each crosses IPC
// or a WebSocket as is.
import { z } from 'zod';
import type { ConnectionKind, ConnectionRef, ConnectionSpec, SecretField } from '../connection';
import type { ConnectionDraft } from '../connections';
import type { SerializedError } from '../errors';
import type { Entry, SkippedName } from '../provider';
import { DEFAULT_AZURE_OPENAI_API_VERSION, DEFAULT_BEDROCK_MODEL, DEFAULT_MODEL_PRICES } from '../summaries';
import { OVERWRITE_POLICIES } from '../transfers';

export interface AppInfo {
  /** The application's version (package.json). */
  version: string;
  /** API_VERSION of the main process answering. */
  api: number;
  platform: 'linux' | 'darwin' | 'win32' | string;
  /** How the renderer is served: the desktop app (IPC) or web mode (a browser, over a WebSocket). */
  shell: 'desktop' | 'web';
  paths: { home: string; data: string; downloads: string };
  capabilities: {
    /** Rows can be dragged out of a pane to the desktop (the desktop app only). */
    dragOut: boolean;
    /** Files dropped from the desktop into a pane can be uploaded. */
    dropIn: boolean;
    /** The credential store in use and whether secrets survive a restart. */
    secrets: { store: string; persistent: boolean };
  };
}

/** A saved connection as the renderer sees it: everything but its secrets, and which secrets are stored. */
export interface ConnectionSummary {
  id: string;
  name: string;
  kind: ConnectionKind;
  spec: ConnectionSpec;
  group?: string;
  notes?: string;
  defaultRemoteFolder?: string;
  defaultLocalFolder?: string;
  concurrency?: number;
  /** Secret fields with a value in the credential store. */
  storedSecrets: SecretField[];
  /** The address people know it by ("ftps://me@host:21/", "s3://bucket", "az://account/container"). */
  address: string;
  createdAt: number;
  updatedAt: number;
}

/** The outcome of a save: the connection, and what the user should know (a secret kept for this session only). */
export interface ConnectionSaved {
  connection: ConnectionSummary;
  notices: string[];
}

export type ImportFormat = 'filezilla' | 'rclone' | 'aws' | 'fileferry';
export type ImportStatus = 'ready' | 'needs-secret' | 'unsupported';

/** One importable site, free of secret values (see main/core/imports). */
export interface ImportItem {
  key: string;
  source: string;
  connection?: ConnectionDraft;
  secretFields: SecretField[];
  missingSecrets: SecretField[];
  status: ImportStatus;
  warnings: string[];
}

export interface ImportPreview {
  format: ImportFormat;
  file: string;
  items: ImportItem[];
  warnings: string[];
}

/** A file FileFerry knows how to import that exists on this machine (FileZilla's site manager, rclone.conf…). */
export interface ImportSource {
  path: string;
  format: ImportFormat;
  description: string;
}

export interface ImportApplied {
  saved: ConnectionSummary[];
  skipped: Array<{ key: string; reason: string }>;
  notices: string[];
}

/** Where something is: a saved connection or an inline spec (quick connect), and a path on it. */
export interface ApiLocation {
  connection: ConnectionRef;
  path: string;
}

/** An address resolved for a pane: where it is and what to call its connection. */
export type ResolvedAddress =
  { location: ApiLocation; title: string; spec: ConnectionSpec } | { needsPassword: { user: string; host: string } };

/** A file dropped from outside the page (web mode): its name, size and time as the browser gives them. */
export interface UploadFile {
  name: string;
  size: number;
  modified?: number;
}

/** One page of a listing started with browse.list, as the 'listing' event carries it. */
export interface ListingPage {
  listingId: string;
  entries: Entry[];
  /** Entries the site listed that FileFerry cannot use by their names (shown, so nothing is lost silently). */
  skipped?: SkippedName[];
  /** Entries so far, this page included. */
  count: number;
  /** Set on the last event of a listing: complete, failed (error) or cancelled. */
  done?: 'complete' | 'failed' | 'cancelled';
  error?: SerializedError;
}

/** A connection's state, as the panes show it (connecting…, the certificate question, offline). */
export interface ConnectionStatus {
  /** connectionKey() of the ref. */
  key: string;
  state: 'connecting' | 'connected' | 'failed' | 'closed';
  error?: SerializedError;
}

/**
 * An Entra ID sign-in that waits for the person, as the 'signin' event carries it: first the prompt (a code to
 * enter on the identity provider's page), then exactly one end. Every window hears it; any may cancel it
 * (connections.cancelSignIn). A sign-in from the keychain's cached token sends nothing.
 */
export type SignInEvent =
  | (SignInSubject & {
      type: 'prompt';
      /** The identity provider's page where the code is entered (https://microsoft.com/devicelogin). */
      verificationUri: string;
      userCode: string;
      /** The identity provider's own instruction, naming the page and the code. */
      message: string;
      /** When the code stops working (milliseconds since the epoch). */
      expiresAt: number;
    })
  /** Signed in: the token cache is in the connection's keychain entry, and what waited goes on. */
  | (SignInSubject & { type: 'completed' })
  /** Failed, expired, or abandoned (code Cancelled: the Cancel button, or nothing waits for it any more). */
  | (SignInSubject & { type: 'failed'; error: SerializedError });

/** Which sign-in an event is about, and for which saved connection. */
export interface SignInSubject {
  signInId: string;
  connectionId: string;
  connectionName: string;
}

export const THEMES = ['system', 'light', 'dark'] as const;

const layoutSchema = z.strictObject({
  panes: z.number().min(0.1).max(0.9),
  queue: z.number().min(0.05).max(0.9),
  queueCollapsed: z.boolean(),
});

const KIB = 1024;
const MIB = 1024 * KIB;

/** A name for AWS or Azure (a region, a profile, a model id, a deployment): printable, no spaces or slashes. */
const cloudName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}$/, 'letters, digits and . _ : @ - only');

/** AI file summaries: what is read, who is asked, and what it costs (shared/summaries.ts). */
export const summarySettingsSchema = z.strictObject({
  /** Off: no file content ever leaves this computer for a summary. */
  enabled: z.boolean().default(true),
  /** Bytes read from the start of a text file. */
  maxBytes: z
    .number()
    .int()
    .min(KIB)
    .max(4 * MIB)
    .default(256 * KIB),
  /** PDF and DOCX are read whole, so only up to this size. */
  documentMaxBytes: z
    .number()
    .int()
    .min(64 * KIB)
    .max(100 * MIB)
    .default(10 * MIB),
  maxOutputTokens: z.number().int().min(64).max(8192).default(1024),
  bedrock: z
    .strictObject({
      /** Off: only Azure OpenAI is asked. */
      enabled: z.boolean().default(true),
      /** A model id or inference profile. */
      modelId: cloudName.default(DEFAULT_BEDROCK_MODEL),
      /** null: AWS_REGION or the profile's region, else us-east-1. */
      region: cloudName.nullable().default(null),
      /** null: AWS_PROFILE, else the default chain (as the S3 connections that use the environment). */
      profile: cloudName.nullable().default(null),
    })
    .default({ enabled: true, modelId: DEFAULT_BEDROCK_MODEL, region: null, profile: null }),
  /** The fallback; configured when endpoint and deployment are set. Its key lives in the keychain. */
  azureOpenAI: z
    .strictObject({
      endpoint: z
        .url({ protocol: /^https?$/ })
        .nullable()
        .default(null),
      deployment: cloudName.nullable().default(null),
      apiVersion: cloudName.default(DEFAULT_AZURE_OPENAI_API_VERSION),
      /** key: an API key from the keychain; entra: a sign-in (device code) through Entra ID. */
      auth: z.enum(['key', 'entra']).default('key'),
      tenantId: cloudName.nullable().default(null),
      /** The application (client) ID of an app registration that allows public-client flows (Entra ID). */
      clientId: cloudName.nullable().default(null),
      /** The sign-in authority outside Azure's public cloud; null: https://login.microsoftonline.com/<tenant>. */
      authority: z
        .url({ protocol: /^https$/ })
        .nullable()
        .default(null),
    })
    .default({
      endpoint: null,
      deployment: null,
      apiVersion: DEFAULT_AZURE_OPENAI_API_VERSION,
      auth: 'key',
      tenantId: null,
      clientId: null,
      authority: null,
    }),
  /** US dollars per million tokens, by a part of the model id or deployment name. */
  prices: z
    .record(
      z.string().min(1).max(200),
      z.strictObject({ inputPerMillion: z.number().min(0).max(1000), outputPerMillion: z.number().min(0).max(1000) }),
    )
    .default({ ...DEFAULT_MODEL_PRICES }),
});

export type SummarySettings = z.infer<typeof summarySettingsSchema>;

/** Each setting's own rule, without its default (what a change may contain). */
const settingFields = {
  theme: z.enum(THEMES),
  /** Rows of 22 px instead of 26. */
  compactRows: z.boolean(),
  confirmDelete: z.boolean(),
  showHidden: z.boolean(),
  defaultOverwrite: z.enum(OVERWRITE_POLICIES),
  /** Transfers at once per site; null: each connection's own limit. */
  perSiteConcurrency: z.number().int().min(1).max(16).nullable(),
  /** Pane sizes and the queue's height, as the splitters left them (fractions of the window). */
  layout: layoutSchema,
  /** Days the transfer history keeps a record; null: for ever. */
  historyRetentionDays: z.number().int().min(1).max(36_500).nullable(),
  summaries: summarySettingsSchema,
};

/** The app's settings; each takes effect at once and persists (settings.json in the data folder). */
export const settingsSchema = z.strictObject({
  theme: settingFields.theme.default('system'),
  compactRows: settingFields.compactRows.default(false),
  confirmDelete: settingFields.confirmDelete.default(true),
  showHidden: settingFields.showHidden.default(false),
  defaultOverwrite: settingFields.defaultOverwrite.default('ask'),
  perSiteConcurrency: settingFields.perSiteConcurrency.default(null),
  layout: settingFields.layout.default({ panes: 0.5, queue: 0.28, queueCollapsed: false }),
  historyRetentionDays: settingFields.historyRetentionDays.default(null),
  summaries: settingFields.summaries.default(summarySettingsSchema.parse({})),
});

/** A change to some settings: only what it names changes. */
export const settingsPatchSchema = z.strictObject(settingFields).partial();

export type Settings = z.infer<typeof settingsSchema>;
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

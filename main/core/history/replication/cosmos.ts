// The history's Cosmos DB account, through @azure/cosmos: one document per record, its id the record's id, so
// uploading a record twice (a retry, a restart after a crash between the upload and the outbox's delete)
// replaces it rather than adding a second one.
//
// Partition key: /deviceId. Each device writes only its own records, so every upload goes to one logical
// partition (the device's) and never contends with another device's writes; a device's history is far below a
// logical partition's 20 GB (about 20 million records of ~1 KB). Pulls read the other devices' records with
// one cross-partition query on the server's own timestamp (_ts), which is cheap at this size.
//
// Pulls go by _ts, the time the account stored a document, not the record's updatedAt: a device that was
// offline for a day uploads records whose updatedAt is a day old, and another device that had already pulled
// past that day would never see them; _ts is set when they finally arrive. It has one-second resolution, so a
// pull re-reads from a little before the last _ts it saw (the merge ignores what it already has).
//
// Throttling (429): the SDK's own retries are turned off, so the replicator sees each 429 with the server's
// retry-after and waits it out itself — its status says "pushing" while it waits, and a command line's
// bounded push can stop waiting when its time is up instead of the SDK sleeping inside a request.
import type { TokenCredential } from '@azure/core-auth';
import { CosmosClient, type Container, type ErrorResponse } from '@azure/cosmos';
import { Agent } from 'node:https';
import { rootCertificates } from 'node:tls';
import { FerryError, isFerryError } from '../../../../shared/errors';
import type { HistoryRecord } from '../../../../shared/history';
// The Azure SDKs share one HTTP pipeline, and so its words for an account that was not reached.
import { NETWORK_CODES } from '../../providers/azure-blob/errors';
import { documentOf, recordOf, type HistoryDocument } from './documents';
import { cosmosScope, type RemoteAuth, type RemoteSettings } from './settings';

/** What the replicator needs from the account (an interface so the replicator's logic reads without the SDK). */
export interface HistoryRemote {
  readonly endpoint: string;
  /** Creates the database and the container when missing (once per remote). */
  prepare(signal?: AbortSignal): Promise<void>;
  /** Writes (replaces) one record's document. */
  upsert(record: HistoryRecord, signal?: AbortSignal): Promise<void>;
  /**
   * The other devices' documents stored at or after `sinceTs` (the account's seconds), oldest first, a page at
   * a time; documents FileFerry cannot read are counted, not returned.
   */
  pull(thisDevice: string, sinceTs: number, signal?: AbortSignal): AsyncGenerator<PulledPage>;
  close(): void;
}

export interface PulledPage {
  records: HistoryRecord[];
  /** The newest _ts on the page (the watermark once it is merged). */
  maxTs: number;
  unreadable: number;
}

const REQUEST_TIMEOUT_MS = 15_000;
const PAGE_SIZE = 500;

/** How requests are signed: the account key, or an Entra ID token from the credential (auth entra). */
export type CosmosAccess = { key: string } | { credential: TokenCredential };

export function openCosmosRemote(settings: RemoteSettings, access: CosmosAccess, extraCaPem?: string): HistoryRemote {
  const cas = [...rootCertificates, ...(settings.caPem ? [settings.caPem] : []), ...(extraCaPem ? [extraCaPem] : [])];
  const agent = new Agent({ keepAlive: true, ca: cas });
  const client = new CosmosClient({
    endpoint: settings.endpoint,
    ...('key' in access
      ? { key: access.key }
      : // The scope is chosen by cosmosScope (settings.ts): https://cosmos.azure.com/.default on Azure's public
        // cloud, the account's own `<endpoint>/.default` elsewhere. Given as aadScope, so the SDK never falls
        // back from one scope to the other (with a device code, that would be a second sign-in).
        { aadCredentials: access.credential, aadScope: cosmosScope(settings.endpoint) }),
    agent,
    userAgentSuffix: 'FileFerry',
    connectionPolicy: {
      requestTimeout: REQUEST_TIMEOUT_MS,
      retryOptions: { maxRetryAttemptCount: 0, maxWaitTimeInSeconds: 0 },
      // Endpoint discovery sends requests to the addresses the account announces. An emulator on this machine
      // announces its own listening address, which is not the one reached through a port forward or a proxy.
      enableEndpointDiscovery: !isLoopback(settings.endpoint),
    },
  });
  let container: Container | undefined;
  const where = `the Cosmos DB account at ${settings.endpoint}`;

  const ready = (): Container => {
    if (!container) throw new Error('prepare() first');
    return container;
  };

  return {
    endpoint: settings.endpoint,
    async prepare(signal) {
      if (container) return;
      try {
        const { database } = await client.databases.createIfNotExists(
          { id: settings.database },
          { abortSignal: signal },
        );
        const created = await database.containers.createIfNotExists(
          { id: settings.container, partitionKey: { paths: ['/deviceId'] } },
          { abortSignal: signal },
        );
        container = created.container;
      } catch (error) {
        throw remoteError(error, where, settings.auth);
      }
    },
    async upsert(record, signal) {
      try {
        await ready().items.upsert<HistoryDocument>(documentOf(record), { abortSignal: signal });
      } catch (error) {
        throw remoteError(error, where, settings.auth);
      }
    },
    async *pull(thisDevice, sinceTs, signal) {
      const iterator = ready().items.query(
        {
          query: 'SELECT * FROM c WHERE c.deviceId != @me AND c._ts >= @since ORDER BY c._ts',
          parameters: [
            { name: '@me', value: thisDevice },
            { name: '@since', value: sinceTs },
          ],
        },
        { maxItemCount: PAGE_SIZE, abortSignal: signal },
      );
      for (;;) {
        let page: { resources: unknown[]; hasMoreResults: boolean };
        try {
          page = await iterator.fetchNext();
        } catch (error) {
          throw remoteError(error, where, settings.auth);
        }
        const records: HistoryRecord[] = [];
        let maxTs = sinceTs;
        let unreadable = 0;
        for (const document of page.resources) {
          const ts = (document as { _ts?: unknown })._ts;
          if (typeof ts === 'number' && ts > maxTs) maxTs = ts;
          const record = recordOf(document);
          if (record) records.push(record);
          else unreadable++;
        }
        if (page.resources.length > 0) yield { records, maxTs, unreadable };
        if (!page.hasMoreResults) return;
      }
    },
    close() {
      client.dispose();
      agent.destroy();
    },
  };
}

const CERTIFICATE_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/;

/**
 * A FerryError for an SDK failure, worded for a person: throttling carries details.retryAfterMs, a network
 * failure is 'Network' (the replicator's "offline"), a refused key 'AuthFailed'.
 */
export function remoteError(error: unknown, where: string, auth: RemoteAuth = 'key'): FerryError {
  if (isFerryError(error)) return error;
  const failure = error as Partial<ErrorResponse> & { name?: string; message?: string; code?: unknown };
  const status = typeof failure.code === 'number' ? failure.code : failure.statusCode;
  const code = typeof failure.code === 'string' ? failure.code : undefined;
  const reason = (failure.message ?? String(error)).split('\n')[0]!.slice(0, 300);
  if (failure.name === 'AbortError')
    return new FerryError('Cancelled', `The request to ${where} was stopped.`, { cause: error });
  if (status === 429) {
    const header = Number(failure.headers?.['x-ms-retry-after-ms']);
    const retryAfterMs = failure.retryAfterInMs ?? (Number.isFinite(header) ? header : 1000);
    return new FerryError('Timeout', `${where} is throttling requests (429); it asked to wait ${retryAfterMs} ms.`, {
      cause: error,
      details: { throttled: true, retryAfterMs, status },
    });
  }
  if (status === 401 || status === 403) {
    return new FerryError(
      'AuthFailed',
      auth === 'entra'
        ? `${where} refused your Entra ID sign-in (${status}). Check that your account has a Cosmos DB data role ` +
            '(such as Cosmos DB Built-in Data Contributor) on it, and run fileferry history remote set again.'
        : `${where} refused the key (${status}). Check the account's primary or secondary key and run ` +
            'fileferry history remote set again.',
      { cause: error, details: { status } },
    );
  }
  if (code && CERTIFICATE_CODES.test(code)) {
    return new FerryError(
      'PermissionDenied',
      `The certificate of ${where} is not trusted (${code}). If a private CA signed it, set FILEFERRY_CA_FILE to ` +
        'that CA certificate (a PEM file) and run fileferry history remote set again.',
      { cause: error },
    );
  }
  if ((code && NETWORK_CODES.has(code)) || status === 408 || failure.name === 'TimeoutError') {
    return new FerryError('Network', `${where} cannot be reached (${code ?? status ?? reason}).`, { cause: error });
  }
  if (status === 503 || status === 502 || status === 500) {
    return new FerryError('Network', `${where} is unavailable (${status}: ${reason}).`, {
      cause: error,
      details: { status },
    });
  }
  return new FerryError('Protocol', `${where} answered ${status ?? code ?? 'an error'}: ${reason}`, {
    cause: error,
    ...(status ? { details: { status } } : {}),
  });
}

function isLoopback(endpoint: string): boolean {
  const host = new URL(endpoint).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\./.test(host);
}

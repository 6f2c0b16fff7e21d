// An HTTP proxy in front of Azurite that plays the Azure service's part in the two "from URL" operations
// Azurite does not implement (it answers NotImplemented): for Put Block From URL (PUT ?comp=block with
// x-ms-copy-source and x-ms-source-range) and Put Blob From URL (PUT with x-ms-blob-type: BlockBlob and
// x-ms-copy-source) it fetches the source bytes itself, as Azure would, and stores them in Azurite with an
// ordinary Put Block / Put Blob. Every other request passes through unchanged. It counts what it fetched and
// the Put Block and Put Blob requests it saw, and can be told to fail fetches the way Azure reports an
// unreachable or unauthorised source (403 CannotVerifyCopySource). It does not check the caller's
// authorisation for the from-URL operations (Azure would); every other request is authorised by Azurite as
// usual.
//
// It also reports blob states Azurite cannot reach: Azurite rehydrates an archived blob at once, so a blob
// "rehydrate-pending-to-hot" never exists there. setBlobState makes the proxy report a blob's access tier and
// archive status in its properties (HEAD and GET headers) and in container listings, as Azure would while a
// rehydration runs; the blob's bytes and Azurite's own answers (a 409 BlobArchived for a read) are unchanged.
// With holdRehydration set, a Set Blob Tier that takes a blob out of Archive leaves it reported that way
// (Archive, rehydrate-pending-to-TIER), as Azure does for hours, while Azurite has already moved it.
//
// Azurite also finishes every Copy Blob at once, so a client's polling never runs. With scriptedCopy set, a
// Copy Blob is answered "pending" and the target's next Get Blob Properties report pending (with
// x-ms-copy-progress) before the scripted outcome: Azurite's real "success", or "failed" with a description,
// or "aborted". Azurite has copied the bytes either way; only what the service reports changes. Abort Copy
// Blob on a scripted copy still pending is answered here (Azurite has nothing left to abort).
import { randomUUID } from 'node:crypto';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { patternBytes } from './pattern';
import { azuriteConnectionString, type AzuriteServer } from './azurite';

export interface FromUrlCounts {
  /** Ordinary Put Block requests from clients (bytes sent by the client). */
  putBlock: number;
  putBlockBytes: number;
  putBlockFromUrl: number;
  putBlobFromUrl: number;
  /** Ordinary Put Blob requests from clients (a whole blob in one request), and the Content-MD5 of each. */
  putBlob: number;
  putBlobContentMd5: Array<string | undefined>;
  /** Bytes the proxy fetched from source URLs on the service's behalf. */
  bytesFetched: number;
  /** List Blobs requests (one per page of a container listing). */
  listBlobs: number;
  /** Copy Blob requests answered "pending" (scriptedCopy), their Get Blob Properties polls, and aborts. */
  scriptedCopies: number;
  copyPolls: number;
  copyAborts: number;
}

/** How the proxy reports a Copy Blob while scriptedCopy is set. */
export interface ScriptedCopy {
  /** How many Get Blob Properties of the target report "pending" before the outcome. */
  pendingPolls: number;
  /** success: Azurite's own answer passes through; failed or aborted: reported so from then on. */
  outcome: 'success' | 'failed' | 'aborted';
  /** x-ms-copy-status-description of a failed copy. */
  description?: string;
}

/** What the proxy reports for a blob instead of Azurite's values (see setBlobState). */
export interface ReportedBlobState {
  accessTier?: string;
  archiveStatus?: string;
}

export interface FromUrlProxy {
  port: number;
  /** Blob service URL through the proxy: http://127.0.0.1:PORT/devstoreaccount1 */
  endpoint: string;
  connectionString: string;
  counts: FromUrlCounts;
  /** When set, source fetches fail with this HTTP status and CannotVerifyCopySource, without fetching. */
  failFetchesWith: number | undefined;
  /** When set, Copy Blob runs as scripted (see ScriptedCopy); undefined (default): Azurite's immediate success. */
  scriptedCopy: ScriptedCopy | undefined;
  /** When true, a blob taken out of Archive is reported rehydrating (default false: Azurite's own answer). */
  holdRehydration: boolean;
  resetCounts(): void;
  /** Reports `state` for the blob from now on (undefined: Azurite's own values again). */
  setBlobState(container: string, blob: string, state: ReportedBlobState | undefined): void;
  stop(): Promise<void>;
}

function zeroCounts(): FromUrlCounts {
  return {
    putBlock: 0,
    putBlockBytes: 0,
    putBlockFromUrl: 0,
    putBlobFromUrl: 0,
    putBlob: 0,
    putBlobContentMd5: [],
    bytesFetched: 0,
    listBlobs: 0,
    scriptedCopies: 0,
    copyPolls: 0,
    copyAborts: 0,
  };
}

/** A Copy Blob (asynchronous server-side copy): not Put Blob From URL (it names a blob type), nor a sync copy. */
function isCopyBlob(req: IncomingMessage, url: URL): boolean {
  return (
    req.method === 'PUT' &&
    req.headers['x-ms-copy-source'] !== undefined &&
    !url.searchParams.get('comp') &&
    req.headers['x-ms-blob-type'] === undefined &&
    req.headers['x-ms-requires-sync'] !== 'true'
  );
}

/** A scripted copy the proxy reports on, by target blob. */
interface CopyInProgress {
  copyId: string;
  script: ScriptedCopy;
  polls: number;
  aborted: boolean;
}

const XML_ESCAPES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'", '&amp;': '&' };
const unescapeXml = (text: string) => text.replace(/&(lt|gt|quot|apos|amp);/g, (entity) => XML_ESCAPES[entity]!);

/** Sets (or adds) one element inside a listed blob's <Properties>. */
function withProperty(blobXml: string, element: string, value: string): string {
  const withoutOld = blobXml.replace(new RegExp(`<${element}>[^<]*</${element}>`), '');
  return withoutOld.replace('</Properties>', `<${element}>${value}</${element}></Properties>`);
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}

function sendAzureError(res: ServerResponse, status: number, code: string, message: string): void {
  const body = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}\nRequestId:${randomUUID()}</Message></Error>`;
  res.writeHead(status, {
    'content-type': 'application/xml',
    'x-ms-error-code': code,
    'x-ms-request-id': randomUUID(),
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

export async function startFromUrlProxy(azurite: AzuriteServer): Promise<FromUrlProxy> {
  const direct = new BlobServiceClient(
    azurite.endpoint,
    new StorageSharedKeyCredential(azurite.account, azurite.accountKey),
  );
  const state = {
    counts: zeroCounts(),
    failFetchesWith: undefined as number | undefined,
    scriptedCopy: undefined as ScriptedCopy | undefined,
    holdRehydration: false,
  };
  /** Reported blob states by "container/blob name". */
  const blobStates = new Map<string, ReportedBlobState>();
  /** Scripted copies by target "container/blob name". */
  const copies = new Map<string, CopyInProgress>();

  /** Fetches (a range of) the source as Azure would; undefined after answering the client with the error. */
  async function fetchSource(
    res: ServerResponse,
    source: string,
    range: string | undefined,
  ): Promise<Buffer | undefined> {
    if (state.failFetchesWith !== undefined) {
      sendAzureError(
        res,
        state.failFetchesWith,
        'CannotVerifyCopySource',
        'Could not verify the copy source within the specified time.',
      );
      return undefined;
    }
    try {
      const response = await fetch(source, { headers: range ? { range } : {} });
      if (response.status !== 200 && response.status !== 206) {
        await response.arrayBuffer();
        sendAzureError(
          res,
          response.status,
          'CannotVerifyCopySource',
          `The source answered ${response.status} ${response.statusText}.`,
        );
        return undefined;
      }
      const body = Buffer.from(await response.arrayBuffer());
      state.counts.bytesFetched += body.length;
      return body;
    } catch (error) {
      sendAzureError(
        res,
        404,
        'CannotVerifyCopySource',
        `Could not reach the copy source (${(error as Error).cause ?? (error as Error).message}).`,
      );
      return undefined;
    }
  }

  function blobFromPath(url: URL) {
    const [, , container, ...rest] = url.pathname.split('/');
    return direct
      .getContainerClient(decodeURIComponent(container!))
      .getBlockBlobClient(decodeURIComponent(rest.join('/')));
  }

  async function putBlockFromUrl(req: IncomingMessage, res: ServerResponse, url: URL, source: string): Promise<void> {
    state.counts.putBlockFromUrl++;
    req.resume();
    const body = await fetchSource(res, source, req.headers['x-ms-source-range'] as string | undefined);
    if (!body) return;
    await blobFromPath(url).stageBlock(url.searchParams.get('blockid')!, body, body.length);
    res.writeHead(201, {
      'x-ms-request-id': randomUUID(),
      'x-ms-version': String(req.headers['x-ms-version'] ?? ''),
      'x-ms-request-server-encrypted': 'true',
      'content-length': 0,
    });
    res.end();
  }

  async function putBlobFromUrl(req: IncomingMessage, res: ServerResponse, url: URL, source: string): Promise<void> {
    state.counts.putBlobFromUrl++;
    req.resume();
    const body = await fetchSource(res, source, undefined);
    if (!body) return;
    const tier = req.headers['x-ms-access-tier'] as string | undefined;
    // The blob's own metadata and Content-MD5, as Azure keeps them from the request.
    const metadata = Object.fromEntries(
      Object.entries(req.headers)
        .filter(([name]) => name.startsWith('x-ms-meta-'))
        .map(([name, value]) => [name.slice('x-ms-meta-'.length), String(value)]),
    );
    const md5 = req.headers['x-ms-blob-content-md5'] as string | undefined;
    const result = await blobFromPath(url).upload(body, body.length, {
      ...(tier ? { tier } : {}),
      metadata,
      ...(md5 ? { blobHTTPHeaders: { blobContentMD5: Buffer.from(md5, 'base64') } } : {}),
    });
    res.writeHead(201, {
      etag: result.etag ?? '',
      'last-modified': result.lastModified?.toUTCString() ?? new Date().toUTCString(),
      'x-ms-request-id': randomUUID(),
      'x-ms-version': String(req.headers['x-ms-version'] ?? ''),
      'x-ms-request-server-encrypted': 'true',
      'content-length': 0,
    });
    res.end();
  }

  /** The blob a request addresses ("container/name"), or undefined for account and container requests. */
  function blobKey(url: URL): string | undefined {
    const [, , container, ...rest] = url.pathname.split('/');
    return container && rest.length > 0
      ? `${decodeURIComponent(container)}/${decodeURIComponent(rest.join('/'))}`
      : undefined;
  }

  /** The copy headers to report instead of Azurite's for this answer, if a scripted copy concerns it. */
  function copyHeaders(
    req: IncomingMessage,
    url: URL,
    key: string,
    answer: IncomingMessage,
  ): Record<string, string> | undefined {
    if (isCopyBlob(req, url) && answer.statusCode === 202) {
      copies.delete(key); // a new copy replaces what an earlier one reported
      if (!state.scriptedCopy) return undefined;
      const copyId = String(answer.headers['x-ms-copy-id'] ?? randomUUID());
      copies.set(key, { copyId, script: state.scriptedCopy, polls: 0, aborted: false });
      state.counts.scriptedCopies++;
      return { 'x-ms-copy-status': 'pending' };
    }
    const copy = copies.get(key);
    if (!copy || req.method !== 'HEAD' || url.searchParams.get('comp')) return undefined;
    state.counts.copyPolls++;
    copy.polls++;
    const { pendingPolls, outcome, description } = copy.script;
    if (copy.aborted) return { 'x-ms-copy-status': 'aborted', 'x-ms-copy-status-description': 'Aborted by request.' };
    if (copy.polls <= pendingPolls) {
      const total = Number(answer.headers['content-length'] ?? 0);
      const copied = Math.floor((total * copy.polls) / (pendingPolls + 1));
      return { 'x-ms-copy-status': 'pending', 'x-ms-copy-progress': `${copied}/${total}` };
    }
    if (outcome === 'success') {
      copies.delete(key);
      return undefined;
    }
    return {
      'x-ms-copy-status': outcome,
      ...(description ? { 'x-ms-copy-status-description': description } : {}),
    };
  }

  /**
   * Abort Copy Blob of a scripted copy still pending: answered here, as Azure would (202), since Azurite's
   * copy finished long ago. True when answered.
   */
  function abortScriptedCopy(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    const key = blobKey(url);
    const copy = key ? copies.get(key) : undefined;
    const aborting =
      req.method === 'PUT' &&
      url.searchParams.get('comp') === 'copy' &&
      req.headers['x-ms-copy-action'] === 'abort' &&
      copy?.copyId === url.searchParams.get('copyid');
    if (!copy || !aborting || copy.polls > copy.script.pendingPolls) return false;
    req.resume();
    copy.aborted = true;
    state.counts.copyAborts++;
    res.writeHead(204, { 'x-ms-request-id': randomUUID(), 'content-length': 0 });
    res.end();
    return true;
  }

  /**
   * Set Blob Tier out of Archive, with holdRehydration: Azure leaves the blob in Archive, rehydrating, for
   * hours; Azurite moves it at once. Called before the request goes on, while Azurite still says Archive.
   */
  async function holdRehydrationOf(req: IncomingMessage, url: URL): Promise<void> {
    const key = blobKey(url);
    const tier = req.headers['x-ms-access-tier'];
    if (!state.holdRehydration || !key || typeof tier !== 'string' || tier.toLowerCase() === 'archive') return;
    if (req.method !== 'PUT' || url.searchParams.get('comp') !== 'tier') return;
    const current = await blobFromPath(url)
      .getProperties()
      .catch(() => undefined);
    if (current?.accessTier !== 'Archive') return;
    blobStates.set(key, { accessTier: 'Archive', archiveStatus: `rehydrate-pending-to-${tier.toLowerCase()}` });
  }

  /** Azurite's answer with the reported blob states applied: in a blob's headers, or in a listing's XML. */
  function answerWithStates(req: IncomingMessage, res: ServerResponse, url: URL, answer: IncomingMessage): void {
    const status = answer.statusCode ?? 502;
    const key = blobKey(url);
    const reported = key && !url.searchParams.get('comp') ? blobStates.get(key) : undefined;
    const copy = key && status < 300 ? copyHeaders(req, url, key, answer) : undefined;
    if ((reported && (req.method === 'HEAD' || req.method === 'GET') && status < 300) || copy) {
      const headers: Record<string, string | string[] | undefined> = { ...answer.headers, ...copy };
      if (reported?.accessTier) headers['x-ms-access-tier'] = reported.accessTier;
      if (reported?.archiveStatus) headers['x-ms-archive-status'] = reported.archiveStatus;
      res.writeHead(status, headers);
      answer.pipe(res);
      return;
    }
    const container = decodeURIComponent(url.pathname.split('/')[2] ?? '');
    const listing = req.method === 'GET' && url.searchParams.get('comp') === 'list' && status === 200 && !key;
    if (!listing || ![...blobStates.keys()].some((k) => k.startsWith(`${container}/`))) {
      res.writeHead(status, answer.headers);
      answer.pipe(res);
      return;
    }
    const chunks: Buffer[] = [];
    answer.on('data', (chunk: Buffer) => chunks.push(chunk));
    answer.on('error', () => res.destroy());
    answer.on('end', () => {
      const xml = Buffer.concat(chunks)
        .toString('utf8')
        .replace(/<Blob>[\s\S]*?<\/Blob>/g, (blob) => {
          const name = unescapeXml(/<Name>([\s\S]*?)<\/Name>/.exec(blob)?.[1] ?? '');
          const reportedState = blobStates.get(`${container}/${name}`);
          if (!reportedState) return blob;
          let rewritten = blob;
          if (reportedState.accessTier) rewritten = withProperty(rewritten, 'AccessTier', reportedState.accessTier);
          if (reportedState.archiveStatus)
            rewritten = withProperty(rewritten, 'ArchiveStatus', reportedState.archiveStatus);
          return rewritten;
        });
      const body = Buffer.from(xml, 'utf8');
      // Azurite sends listings chunked; the rewritten one goes out whole, with its length.
      const { 'transfer-encoding': _chunked, ...headers } = answer.headers;
      res.writeHead(status, { ...headers, 'content-length': body.length });
      res.end(body);
    });
  }

  function passThrough(req: IncomingMessage, res: ServerResponse, url: URL): void {
    if (req.method === 'PUT' && url.searchParams.get('comp') === 'block') {
      state.counts.putBlock++;
      state.counts.putBlockBytes += Number(req.headers['content-length'] ?? 0);
    }
    if (req.method === 'PUT' && !url.searchParams.get('comp') && req.headers['x-ms-blob-type'] === 'BlockBlob') {
      state.counts.putBlob++;
      state.counts.putBlobContentMd5.push(req.headers['content-md5'] as string | undefined);
    }
    if (
      req.method === 'GET' &&
      url.searchParams.get('comp') === 'list' &&
      url.searchParams.get('restype') === 'container'
    )
      state.counts.listBlobs++;
    const upstream = httpRequest(
      {
        host: '127.0.0.1',
        port: azurite.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: `127.0.0.1:${azurite.port}` },
      },
      (answer) => answerWithStates(req, res, url, answer),
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const source = req.headers['x-ms-copy-source'] as string | undefined;
    const handle = async () => {
      if (req.method === 'PUT' && source && url.searchParams.get('comp') === 'block')
        return putBlockFromUrl(req, res, url, source);
      if (
        req.method === 'PUT' &&
        source &&
        !url.searchParams.get('comp') &&
        req.headers['x-ms-blob-type'] === 'BlockBlob'
      ) {
        return putBlobFromUrl(req, res, url, source);
      }
      if (abortScriptedCopy(req, res, url)) return;
      await holdRehydrationOf(req, url);
      passThrough(req, res, url);
    };
    handle().catch((error: unknown) => {
      if (!res.headersSent) sendAzureError(res, 500, 'InternalError', `Proxy failure: ${(error as Error).message}`);
      else res.destroy();
    });
  });
  const port = await listen(server);
  const endpoint = `http://127.0.0.1:${port}/${azurite.account}`;
  return {
    port,
    endpoint,
    connectionString: azuriteConnectionString(endpoint),
    get counts() {
      return state.counts;
    },
    get failFetchesWith() {
      return state.failFetchesWith;
    },
    set failFetchesWith(status: number | undefined) {
      state.failFetchesWith = status;
    },
    get scriptedCopy() {
      return state.scriptedCopy;
    },
    set scriptedCopy(script: ScriptedCopy | undefined) {
      state.scriptedCopy = script;
    },
    get holdRehydration() {
      return state.holdRehydration;
    },
    set holdRehydration(hold: boolean) {
      state.holdRehydration = hold;
    },
    resetCounts() {
      state.counts = zeroCounts();
    },
    setBlobState(container, blob, reported) {
      if (reported) blobStates.set(`${container}/${blob}`, reported);
      else blobStates.delete(`${container}/${blob}`);
    },
    stop: () => close(server),
  };
}

export interface PatternSource {
  /** URL serving the pattern bytes (with Range support). */
  url: string;
  /** Bytes served so far, and to whom (by User-Agent). */
  bytesServed: number;
  stop(): Promise<void>;
}

/** A small HTTP server serving `size` bytes of patternBytes(seed) with Range support: a stand-in for a presigned S3 URL. */
export async function startPatternSource(seed: string, size: number): Promise<PatternSource> {
  const state = { bytesServed: 0 };
  const server = createServer(async (req, res) => {
    let start = 0;
    let end = size - 1;
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range) {
      start = Number(range[1]);
      if (range[2]) end = Math.min(Number(range[2]), size - 1);
      res.writeHead(206, {
        'content-length': end - start + 1,
        'content-range': `bytes ${start}-${end}/${size}`,
        'accept-ranges': 'bytes',
      });
    } else {
      res.writeHead(200, { 'content-length': size, 'accept-ranges': 'bytes' });
    }
    for await (const chunk of patternBytes(seed, end - start + 1, start)) {
      state.bytesServed += chunk.length;
      if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}/bucket/source.bin?X-Amz-Signature=stand-in`,
    get bytesServed() {
      return state.bytesServed;
    },
    stop: () => close(server),
  };
}

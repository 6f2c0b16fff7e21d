// A loopback HTTP proxy in front of s3rver that gives objects uploaded in parts the ETag AWS gives them:
// `"<md5 of the parts' binary MD5s>-<number of parts>"`, which is no MD5 of the object. s3rver answers the MD5 of the
// whole object instead, so without this proxy a client that wrongly takes a multipart ETag for an MD5 would pass
// every test. Rewritten: CompleteMultipartUpload's answer, and the ETag of such an object in HEAD, GET and listings
// (ListObjectsV2/ListObjects) for as long as it holds the bytes of that upload (a copy onto itself keeps them; a new
// PutObject or a delete ends it). Everything else passes unchanged; the Host header too, as s3rver checks the
// request signature against the Host it receives.
import { createHash } from 'node:crypto';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AwsEtagProxy {
  endpoint: string;
  /** The AWS-form ETag (without quotes) the proxy serves for an object uploaded in parts, if any. */
  multipartEtag(bucket: string, key: string): string | undefined;
  /** Responses whose ETags were rewritten so far. */
  readonly rewrites: number;
  stop(): Promise<void>;
}

interface Multipart {
  /** s3rver's ETag for the object: the MD5 of its bytes (hex). */
  plain: string;
  /** AWS's: md5-of-md5s-N. */
  aws: string;
}

const unescapeXml = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

const bareEtag = (text: string) => unescapeXml(text).replace(/"/g, '').toLowerCase();

async function bodyOf(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** AWS's multipart ETag from the parts' ETags (their MD5s, hex), as listed in CompleteMultipartUpload's request. */
function awsEtag(partEtags: string[]): string {
  const joined = Buffer.concat(partEtags.map((etag) => Buffer.from(etag, 'hex')));
  return `${createHash('md5').update(joined).digest('hex')}-${partEtags.length}`;
}

export async function startAwsEtagProxy(target: string): Promise<AwsEtagProxy> {
  const upstream = new URL(target);
  const multiparts = new Map<string, Multipart>();
  let rewrites = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const segments = url.pathname.split('/');
    const bucket = decodeURIComponent(segments[1] ?? '');
    const key = decodeURIComponent(segments.slice(2).join('/'));
    const id = `${bucket}/${key}`;
    const query = url.searchParams;
    const completing = req.method === 'POST' && key !== '' && query.has('uploadId');
    const listing = req.method === 'GET' && bucket !== '' && key === '' && !query.has('uploads');
    const objectRead = (req.method === 'GET' || req.method === 'HEAD') && key !== '' && !query.has('uploadId');

    // CompleteMultipartUpload's body names the parts' ETags; it is small, so it is read whole.
    const requestBody = completing ? await bodyOf(req) : undefined;
    const forward = request({
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers: req.headers,
    });
    const answered = new Promise<IncomingMessage>((resolve, reject) => {
      forward.once('response', resolve);
      forward.once('error', reject);
    });
    if (requestBody) forward.end(requestBody);
    else req.pipe(forward);
    const answer = await answered;
    const status = answer.statusCode ?? 502;
    const headers = { ...answer.headers };

    if (
      status < 300 &&
      req.method === 'PUT' &&
      key !== '' &&
      !query.has('uploadId') &&
      !req.headers['x-amz-copy-source']
    )
      multiparts.delete(id);
    if (status < 300 && req.method === 'DELETE' && key !== '' && !query.has('uploadId')) multiparts.delete(id);

    if (completing && status < 300) {
      const body = (await bodyOf(answer)).toString('utf8');
      const parts = [...requestBody!.toString('utf8').matchAll(/<ETag>([^<]*)<\/ETag>/g)].map((m) => bareEtag(m[1]!));
      const served = /<ETag>([^<]*)<\/ETag>/.exec(body);
      if (served && parts.length > 0) {
        const plain = bareEtag(served[1]!);
        const aws = awsEtag(parts);
        multiparts.set(id, { plain, aws });
        rewrites++;
        return send(res, status, headers, body.replace(plain, aws));
      }
      return send(res, status, headers, body);
    }
    if (objectRead && status < 300) {
      const known = multiparts.get(id);
      const etag = typeof headers.etag === 'string' ? bareEtag(headers.etag) : undefined;
      if (known && etag === known.plain) {
        headers.etag = `"${known.aws}"`;
        rewrites++;
      }
      res.writeHead(status, headers);
      answer.pipe(res);
      return;
    }
    if (listing && status < 300) {
      let body = (await bodyOf(answer)).toString('utf8');
      body = body.replace(/<Contents>([\s\S]*?)<\/Contents>/g, (contents, inner: string) => {
        const listedKey = /<Key>([^<]*)<\/Key>/.exec(inner)?.[1];
        const listedEtag = /<ETag>([^<]*)<\/ETag>/.exec(inner)?.[1];
        const known = listedKey === undefined ? undefined : multiparts.get(`${bucket}/${unescapeXml(listedKey)}`);
        if (!known || listedEtag === undefined || bareEtag(listedEtag) !== known.plain) return contents;
        rewrites++;
        return contents.replace(known.plain, known.aws);
      });
      return send(res, status, headers, body);
    }
    res.writeHead(status, headers);
    answer.pipe(res);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    multipartEtag: (bucket, key) => multiparts.get(`${bucket}/${key}`)?.aws,
    get rewrites() {
      return rewrites;
    },
    stop: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

function send(res: ServerResponse, status: number, headers: IncomingMessage['headers'], body: string): void {
  const bytes = Buffer.from(body, 'utf8');
  const { 'transfer-encoding': _chunked, ...rest } = headers;
  res.writeHead(status, { ...rest, 'content-length': String(bytes.length) });
  res.end(bytes);
}

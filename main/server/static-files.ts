// The built renderer's files, and nothing else on the disk. A request path is decoded once and refused when
// any segment is ".." (so "%2e%2e" and "..%2f" are caught too, after decoding), resolved under the folder,
// and its real path (symlinks followed) must still lie inside the folder's real path: a link pointing out of
// the folder is refused like a "..".
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { FerryError } from '../../shared/errors';
import { contentTypeOf } from '../core/util/content-types';

export type Located = { file: string; size: number; contentType: string } | { status: 400 | 403 | 404 };

export class StaticFiles {
  private constructor(private readonly root: string) {}

  /** The folder's files; NotFound (saying how to build it) when it holds no index.html. */
  static async open(folder: string): Promise<StaticFiles> {
    const root = await realpath(folder).catch(() => undefined);
    const index = root ? await stat(path.join(root, 'index.html')).catch(() => undefined) : undefined;
    if (!root || !index?.isFile())
      throw new FerryError(
        'NotFound',
        `The built app is missing: ${path.join(folder, 'index.html')} does not exist. Run \`npm run build\` first.`,
      );
    return new StaticFiles(root);
  }

  /** The file a request path (raw, before decoding; "/" is index.html) stands for, or the status to answer. */
  async locate(rawPath: string): Promise<Located> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(rawPath);
    } catch {
      return { status: 400 };
    }
    if (!decoded.startsWith('/') || /[\0\\]/.test(decoded)) return { status: 400 };
    if (decoded.split('/').includes('..')) return { status: 403 };
    const candidate = path.resolve(this.root, decoded === '/' ? 'index.html' : `.${decoded}`);
    if (!this.contains(candidate)) return { status: 403 };
    const real = await realpath(candidate).catch(() => undefined);
    if (!real) return { status: 404 };
    if (!this.contains(real)) return { status: 403 };
    const info = await stat(real).catch(() => undefined);
    if (!info?.isFile()) return { status: 404 };
    const contentType = contentTypeOf(real);
    return { file: real, size: info.size, contentType };
  }

  /** Sends a located file (headers already set by the caller: the security ones). */
  send(found: Extract<Located, { file: string }>, response: ServerResponse, head: boolean): void {
    response.writeHead(200, {
      'Content-Type': found.contentType,
      'Content-Length': found.size,
      // The page is where the API is reached from: never kept, so a new launch's page is always fetched.
      'Cache-Control': found.contentType.startsWith('text/html') ? 'no-store' : 'no-cache',
    });
    if (head) return void response.end();
    const stream = createReadStream(found.file);
    stream.on('error', () => response.destroy());
    stream.pipe(response);
  }

  private contains(target: string): boolean {
    const relative = path.relative(this.root, target);
    const outside = relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
    return relative !== '' && !outside;
  }
}

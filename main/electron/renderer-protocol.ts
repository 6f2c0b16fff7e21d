// The renderer is served from the app bundle through a custom scheme, app://fileferry/, never file://.
// Why not file:// with the CSP in a meta tag: a file:// page shares one opaque "origin" with every file on the
// disk (so the sender check could not tell our page from any other local HTML), a meta CSP cannot say
// frame-ancestors and only applies once the parser reaches it, and Electron's security checklist (item 18)
// recommends a custom protocol. Here the page has a real origin to compare, the CSP arrives as a header on
// every response, and nothing outside out/renderer can be requested at all.
import { readFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { contentSecurityPolicy } from '../../shared/security';
import { contentTypeOf } from '../core/util/content-types';

export const RENDERER_SCHEME = 'app';
export const RENDERER_HOST = 'fileferry';
/** The origin of our own page, as the sender check compares it. */
export const RENDERER_ORIGIN = `${RENDERER_SCHEME}://${RENDERER_HOST}`;
export const RENDERER_ENTRY = `${RENDERER_ORIGIN}/index.html`;

/**
 * What protocol.registerSchemesAsPrivileged needs before the app is ready: a standard scheme (so the page has
 * an origin and relative URLs resolve), secure (a secure context, like https), with fetch. Not bypassCSP, no
 * service workers, and not corsEnabled: that privilege lets other origins read the scheme's responses, and the
 * bundle's own module scripts are same-origin requests, which need no CORS.
 */
export const RENDERER_SCHEME_PRIVILEGES = {
  scheme: RENDERER_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true },
} as const;

export interface RendererFilesOptions {
  /** The built renderer folder (out/renderer). */
  root: string;
  /** Reads a file (Electron's fs reads inside app.asar); a parameter so tests can count reads. */
  read?: (file: string) => Promise<Uint8Array>;
}

/** The handler for protocol.handle(RENDERER_SCHEME, …): files of the renderer folder, each with the CSP header. */
export function rendererFiles(options: RendererFilesOptions): (request: Request) => Promise<Response> {
  const root = resolve(options.root);
  const read = options.read ?? ((file: string) => readFile(file));
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return answer(405, 'Method not allowed');
    const file = fileFor(root, request.url);
    if (!file) return answer(404, 'Not found');
    try {
      const body = await read(file);
      return new Response(request.method === 'HEAD' ? null : body, {
        status: 200,
        headers: headers(contentTypeOf(file)),
      });
    } catch {
      return answer(404, 'Not found');
    }
  };
}

/** The file a URL names under root, or undefined for another host or a path that would leave root. */
export function fileFor(root: string, url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== `${RENDERER_SCHEME}:` || parsed.host !== RENDERER_HOST) return undefined;
  let pathname: string;
  try {
    // URL parsing already removed "." and ".." segments; decoding may bring encoded ones (%2e%2e, %2f) back.
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return undefined;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return undefined;
  const relative = pathname === '/' ? 'index.html' : pathname.replace(/^\/+/, '');
  const file = resolve(join(root, relative));
  return file.startsWith(root + sep) ? file : undefined;
}

function headers(contentType: string): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Type': contentType,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-cache',
  };
  // electronegativity cannot evaluate a computed policy; test/electron/hardening.test.ts runs its CSP evaluator
  // on this one (its only remark: 'self' in script-src, right for an origin that serves only our bundle).
  headers['Content-Security-Policy'] = contentSecurityPolicy(); // eng-disable CSP_GLOBAL_CHECK: computed, evaluated in tests
  return headers;
}

function answer(status: number, text: string): Response {
  return new Response(text, { status, headers: headers('text/plain; charset=utf-8') });
}

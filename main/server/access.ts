// Who may use web mode: the browser that opened the printed address, on this machine, on this page. Three
// checks guard every HTTP request and the WebSocket upgrade alike:
//   - Host must name the address the server is bound to. A page on evil.example whose DNS name is re-pointed
//     at 127.0.0.1 (DNS rebinding) reaches this port, but its requests say `Host: evil.example`.
//   - Origin, when the browser sends one, must be the server's own. WebSockets ignore the same-origin policy,
//     so without this any page the user visits could open /api with the user's cookie (cross-site WebSocket
//     hijacking); SameSite=Strict already keeps the cookie off such requests, this refuses them regardless.
//   - The launch token: given once in the printed URL, then kept in an HttpOnly, SameSite=Strict cookie, so
//     another local user or process that finds the port has nothing to present.
// Cookies are not kept apart by port, so the cookie's name carries the port: two servers on one machine do
// not overwrite each other's, and a stale cookie from an earlier launch only fails the token check.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Bytes of randomness in a launch token: 256 bits, well above the 128 a guess would have to beat. */
const TOKEN_BYTES = 32;

export type AccessVerdict =
  | { ok: true }
  /** The printed URL with the right token: set the cookie and send the browser on without the token. */
  | { ok: 'redirect'; location: string; cookie: string }
  | { ok: false; status: 400 | 403; why: string };

export class AccessGuard {
  readonly token = randomBytes(TOKEN_BYTES).toString('base64url');
  private readonly tokenDigest = digest(this.token);
  readonly cookieName: string;

  /**
   * @param authority host:port exactly as the browser puts it in Host (IPv6 in brackets)
   * @param origin the server's own origin, `http://` + authority
   */
  constructor(
    private readonly authority: string,
    readonly origin: string,
    port: number,
  ) {
    this.cookieName = `fileferry_${port}`;
  }

  /** The address to print: the page with the token. */
  get url(): string {
    return `${this.origin}/?token=${this.token}`;
  }

  /** Host and Origin only: what holds for every request, before the token is looked at. */
  checkSite(request: IncomingMessage): AccessVerdict {
    if ((request.headers.host ?? '').toLowerCase() !== this.authority)
      return { ok: false, status: 403, why: 'Host is not the address web mode listens on' };
    const origin = request.headers.origin;
    if (origin !== undefined && origin.toLowerCase() !== this.origin)
      return { ok: false, status: 403, why: 'the request comes from another site' };
    return { ok: true };
  }

  /** Every check, for an HTTP request (`allowTokenInUrl`) or the WebSocket upgrade (cookie only). */
  check(request: IncomingMessage, allowTokenInUrl: boolean): AccessVerdict {
    const site = this.checkSite(request);
    if (site.ok !== true) return site;
    const target = request.url ?? '';
    // Only origin-form targets ("/path?query"): "//host/…" (or "/\host/…", which browsers read the same way)
    // would turn the redirect below into one to another site, and absolute-form targets are for proxies.
    if (!target.startsWith('/') || target.startsWith('//') || target.includes('\\'))
      return { ok: false, status: 400, why: 'bad request target' };
    const query = target.indexOf('?');
    if (allowTokenInUrl && query >= 0) {
      const params = new URLSearchParams(target.slice(query + 1));
      const given = params.get('token');
      if (given !== null) {
        if (!this.matches(given)) return { ok: false, status: 403, why: 'wrong token' };
        params.delete('token');
        const rest = params.toString();
        return {
          ok: 'redirect',
          location: target.slice(0, query) + (rest ? `?${rest}` : ''),
          cookie: `${this.cookieName}=${this.token}; HttpOnly; SameSite=Strict; Path=/`,
        };
      }
    }
    const cookies = cookieValues(request.headers.cookie, this.cookieName);
    if (cookies.length === 0) return { ok: false, status: 403, why: 'no token' };
    if (!cookies.some((value) => this.matches(value))) return { ok: false, status: 403, why: 'wrong token' };
    return { ok: true };
  }

  /** Constant time whatever the guess: both sides are hashed first, so even the length leaks nothing. */
  private matches(given: string): boolean {
    return timingSafeEqual(digest(given), this.tokenDigest);
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Every value of cookie `name` in a Cookie header (a browser may send two with one name: different paths). */
function cookieValues(header: string | undefined, name: string): string[] {
  if (!header) return [];
  const values: string[] = [];
  for (const part of header.split(';')) {
    const equals = part.indexOf('=');
    if (equals > 0 && part.slice(0, equals).trim() === name) values.push(part.slice(equals + 1).trim());
  }
  return values;
}

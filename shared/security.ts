// The Content-Security-Policy of every page FileFerry serves: the desktop app's window and web mode alike. No
// inline script and no eval anywhere; scripts, styles, fonts and images only from the app itself; the page
// talks to nothing but its own API (the WebSocket in web mode; IPC needs no network at all). React's style
// attributes are set through the CSSOM, which style-src does not govern, so no 'unsafe-inline' is needed.
export function contentSecurityPolicy(options: { connect?: readonly string[] } = {}): string {
  const connect = ["'self'", ...(options.connect ?? [])].join(' ');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connect}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

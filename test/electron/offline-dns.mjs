// Loaded with `node --import` into a tool a test runs (electronegativity): every DNS lookup of a name other
// than loopback fails at once, so the tool reaches nothing outside this machine (test traffic stays on
// 127.0.0.1) and its online extras (translations, Electron's release list) give up without retrying: the
// error code is not one of the network errors its HTTP client retries on.
import dns from 'node:dns';

const lookup = dns.lookup;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1']);

dns.lookup = function offlineLookup(hostname, options, callback) {
  if (LOOPBACK.has(hostname)) return lookup.apply(this, arguments);
  const done = typeof options === 'function' ? options : callback;
  const error = Object.assign(new Error(`${hostname}: this test runs offline`), { code: 'EOFFLINE', hostname });
  process.nextTick(done, error);
};

// How the CLI words a failure. A FerryError's message is written for people already, with one exception:
// an untrusted FTPS certificate says to pin its fingerprint "in the connection", which is the app's way; a
// command-line address has no place for a pin. The CLI offers two ways instead, and says both: a saved
// connection with --fingerprint (used as NAME:path), or FILEFERRY_CA_FILE for a certificate a private CA signed.
// A pinned site whose certificate changed gets no such offer: that is a warning, not a question of trust.

type Details = Readonly<Record<string, string | number | boolean>>;

/** The text after "fileferry: " for a failure (a FerryError, or a job's serialised error). */
export function failureText(error: { message: string; details?: Details | undefined }): string {
  const details = error.details ?? {};
  if (details.certificateChanged === true) return changedCertificate(details);
  return typeof details.fingerprint === 'string' ? untrustedCertificate(details.fingerprint, details) : error.message;
}

/**
 * Both fingerprints, the warning, and how to change a pin deliberately, but no command to copy: a one-line
 * re-pin would train people to accept an interception with one paste.
 */
function changedCertificate(details: Details): string {
  const host = String(details.host ?? 'the server');
  const site = details.port === undefined ? host : `${host}:${details.port}`;
  return [
    `The certificate of ${site} changed since it was pinned.`,
    // Space-separated in the details when several are pinned.
    `  pinned SHA-256:    ${String(details.pinnedFingerprints ?? 'unknown')
      .split(' ')
      .join(' or ')}`,
    `  presented SHA-256: ${String(details.presentedFingerprint ?? 'unknown')}`,
    'This is what an interception of the connection (a man-in-the-middle attack) looks like. FileFerry stopped',
    'before sending anything over it. Do not trust the new certificate because of this message: ask the',
    "server's administrator, by another way than this connection, whether they replaced it and what its",
    'fingerprint is. Only if they confirm the presented one, remove the saved connection and add it again',
    'with that fingerprint.',
  ].join('\n');
}

function untrustedCertificate(fingerprint: string, details: Details): string {
  const host = String(details.host ?? 'the server');
  const site = details.port === undefined ? host : `${host}:${details.port}`;
  const user = typeof details.user === 'string' && details.user !== 'anonymous' ? details.user : undefined;
  const add = [
    'fileferry connections add NAME --kind ftps',
    `--host ${shellWord(host)}`,
    details.port === undefined ? '' : `--port ${details.port}`,
    user === undefined ? '' : `--user ${shellWord(user)}`,
    `--tls ${details.tls === 'implicit' ? 'implicit' : 'explicit'}`,
    `--fingerprint ${fingerprint}`,
  ].filter(Boolean);
  const reason = details.reason === undefined ? '' : ` (${String(details.reason)})`;
  return [
    `The certificate of ${site} is not trusted${reason}.`,
    `Its SHA-256 fingerprint is ${fingerprint}.`,
    "If the server's administrator confirms this fingerprint, save the site with it pinned and use NAME:/path",
    'addresses instead of the URL (for a connection saved already: connections rm NAME, then add it again):',
    `  ${add.join(' ')}`,
    'If a private CA signed the certificate, set FILEFERRY_CA_FILE to that CA certificate (a PEM file) instead.',
  ].join('\n');
}

/** A value as one shell word: as it is when it needs no quoting, else in single quotes. */
function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

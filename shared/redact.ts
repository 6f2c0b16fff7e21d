// Redaction of secrets from text that may reach a person, a log file or a persisted queue.
// Two layers: patterns that recognise secrets by shape (URL passwords, SAS signatures, account keys,
// connection strings), and the exact values of secrets the process has handled (registered by the
// credential store), so even a secret of no recognisable shape is masked.

const MASK = '***';
const knownSecrets = new Set<string>();

/** Remember a secret value so redact() masks it wherever it appears. Short values are ignored (too common). */
export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= 4) knownSecrets.add(value);
}

const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  // scheme://user:password@host → scheme://user:***@host
  [/([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):[^@/?#\s]+@/gi, `$1:${MASK}@`],
  // SAS signature and similar query parameters (also a bare SAS token that starts with one)
  [
    /((?:^|[?&\s"'])(?:sig|signature|x-amz-signature|x-amz-security-token|x-amz-credential|token|code|client_secret)=)[^&\s"']+/gi,
    `$1${MASK}`,
  ],
  // Azure connection string parts and Cosmos keys
  [/((?:AccountKey|SharedAccessSignature|SharedAccessKey|Password|Pwd)=)[^;\s"']+/gi, `$1${MASK}`],
  // HTTP authorization headers: "Bearer <token>", "Basic <base64>", SigV4's "Signature=<hex>"
  [/(\b(?:Bearer|Basic)\s+)[A-Za-z0-9\-._~+/]{8,}=*/g, `$1${MASK}`],
  [/(\bSignature=)[0-9a-f]{16,}/gi, `$1${MASK}`],
  // The FTP PASS command as a protocol trace shows it ("> PASS hunter2")
  [/(\bPASS\s+)[^\s"']+/g, `$1${MASK}`],
  // key=value / "key":"value" shaped secrets in free text (also INI lines "pass = …")
  [
    /((?:password|passwd|\bpass\b|secret|secretAccessKey|secret_access_key|sessionToken|session_token|accessToken|refresh_token|access_token|authorization|accountKey|account_key|connectionString|connection_string|sasToken|sas_token|sas_url|clientSecret|apiKey|api_key|tokenCache)["']?\s*[:=]\s*["']?)(?!(?:Bearer|Basic) )[^"'\s,;}&]+/gi,
    `$1${MASK}`,
  ],
  // A bare 64-byte base64 key (Azure storage account keys, Cosmos DB keys): 86 characters and "=="
  [/(^|[^A-Za-z0-9+/])[A-Za-z0-9+/]{86}==(?![A-Za-z0-9+/=])/g, `$1${MASK}`],
];

export function redact(text: string): string {
  let out = text;
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  for (const secret of knownSecrets) {
    if (out.includes(secret)) out = out.split(secret).join(MASK);
  }
  return out;
}

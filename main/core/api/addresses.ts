// connections.resolveAddress: what a pane's address bar accepts, parsed as the command line parses it
// (shared/address.ts): a local path, NAME:path, ftp://, ftps://, s3://. A password is never part of an
// address: it is asked in a dialog and kept for this session only, under a key the transfer requests carry
// (ConnectionRef.secretsKey), so neither the queue nor a log ever holds it.
import { randomUUID } from 'node:crypto';
import { homedir } from 'node:os';
import path from 'node:path';
import { parseAddress } from '../../../shared/address';
import type { ResolvedAddress } from '../../../shared/api';
import { ftpSpecSchema, s3SpecSchema, type SecretField } from '../../../shared/connection';
import { FerryError } from '../../../shared/errors';
import { registerSecret } from '../../../shared/redact';
import type { ConnectionStore } from '../connections';

export class AddressResolver {
  /** Secrets typed for addresses, by the key their refs carry; memory only. */
  private readonly secrets = new Map<string, Partial<Record<SecretField, string>>>();

  constructor(private readonly store: ConnectionStore) {}

  /** The secrets a `{ spec, secretsKey }` ref was given, for opening it. */
  secretsFor(key: string | undefined): Partial<Record<SecretField, string>> {
    return (key && this.secrets.get(key)) || {};
  }

  async resolve(address: string, password?: string): Promise<ResolvedAddress> {
    const parsed = parseAddress(address.trim(), localPath);
    switch (parsed.kind) {
      case 'local':
        return {
          location: { connection: { spec: { kind: 'local' } }, path: parsed.path },
          title: 'Local disk',
          spec: { kind: 'local' },
        };
      case 'saved': {
        const connection = await this.store.get(parsed.name);
        return {
          location: { connection: { savedId: connection.id }, path: parsed.path },
          title: connection.name,
          spec: connection.spec,
        };
      }
      case 'ftp': {
        const spec = ftpSpecSchema.parse(parsed.spec);
        if (!parsed.needsPassword)
          return { location: { connection: { spec }, path: parsed.path }, title: spec.host, spec };
        if (password === undefined) return { needsPassword: { user: spec.user, host: spec.host } };
        registerSecret(password);
        const secretsKey = `session:${randomUUID()}`;
        this.secrets.set(secretsKey, { password });
        return {
          location: { connection: { spec, secretsKey }, path: parsed.path },
          title: `${spec.user}@${spec.host}`,
          spec,
        };
      }
      case 's3': {
        // The standard AWS chain (environment, profile, SSO, roles), as the aws command line uses it.
        const spec = s3SpecSchema.parse({
          kind: 's3',
          auth: 'env',
          ...(parsed.bucket ? { bucket: parsed.bucket } : {}),
        });
        return { location: { connection: { spec }, path: parsed.path }, title: `s3://${parsed.bucket}`, spec };
      }
      case 'azure-blob':
        throw new FerryError(
          'InvalidInput',
          `az://${parsed.account} needs the account's key or a SAS token: add it as a connection (Connections…), then open it by its name.`,
        );
    }
  }
}

/** A local path as typed in the window: absolute, or from the home folder (~). */
function localPath(typed: string): string {
  if (typed === '~' || typed.startsWith('~/')) return path.join(homedir(), typed.slice(1));
  if (!path.isAbsolute(typed))
    throw new FerryError(
      'InvalidInput',
      `"${typed}" is not a full path: type one that starts with / (or ~ for your home folder).`,
    );
  return path.resolve(typed);
}

// Reading results back through FileFerry's own providers (in the harness process, outside any timing) to
// prove each copy byte for byte, and clearing them afterwards.
import { type ConnectionSpec, type SecretField } from '../../shared/connection';
import { isFerryError } from '../../shared/errors';
import { joinPath } from '../../shared/paths';
import type { Provider } from '../../shared/provider';
import { openProvider } from '../../main/core/providers';
import { sha256OfStream } from './files';

export interface RemoteSite {
  spec: ConnectionSpec;
  secrets: Partial<Record<SecretField, string>>;
}

export async function withProvider<T>(site: RemoteSite, use: (provider: Provider) => Promise<T>): Promise<T> {
  const provider = await openProvider(site.spec, { secrets: async (field) => site.secrets[field] });
  try {
    return await use(provider);
  } finally {
    await provider.close();
  }
}

export function remoteSha256(site: RemoteSite, path: string): Promise<string> {
  return withProvider(site, async (provider) => sha256OfStream(await provider.read(path)));
}

/** SHA-256 of every file directly in `folder`, by name, reading `parallel` files at a time. */
export function remoteTreeSha256(site: RemoteSite, folder: string, parallel = 8): Promise<Map<string, string>> {
  return withProvider(site, async (provider) => {
    const names: string[] = [];
    for await (const page of provider.list(folder)) {
      for (const entry of page) if (entry.type === 'file') names.push(entry.name);
    }
    const digests = new Map<string, string>();
    let next = 0;
    const reader = async () => {
      while (next < names.length) {
        const name = names[next++]!;
        digests.set(name, await sha256OfStream(await provider.read(joinPath(folder, name))));
      }
    };
    await Promise.all(Array.from({ length: parallel }, reader));
    return digests;
  });
}

export function removeRemote(site: RemoteSite, path: string): Promise<void> {
  return withProvider(site, async (provider) => {
    try {
      await provider.remove(path, { recursive: true });
    } catch (error) {
      if (!isFerryError(error, 'NotFound')) throw error;
    }
  });
}

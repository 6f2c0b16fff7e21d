// rclone, the peer for the cloud benchmarks: a config file with one remote per server, and runs of it under
// GNU time. AWS_CA_BUNDLE is removed from its environment: set on these machines, it breaks rclone's S3
// backend (see the shared toolchain notes).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runPeer, type PeerResult } from './measure';

export type RcloneRemotes = Record<string, Record<string, string | number | boolean>>;

export class Rclone {
  private constructor(private readonly configPath: string) {}

  static async configure(dir: string, remotes: RcloneRemotes): Promise<Rclone> {
    const configPath = join(dir, 'rclone.conf');
    const text = Object.entries(remotes)
      .map(([name, settings]) => [`[${name}]`, ...Object.entries(settings).map(([k, v]) => `${k} = ${v}`)].join('\n'))
      .join('\n\n');
    await writeFile(configPath, `${text}\n`, { mode: 0o600 });
    return new Rclone(configPath);
  }

  run(args: string[]): Promise<PeerResult> {
    return runPeer('rclone', ['--config', this.configPath, '--quiet', ...args], { AWS_CA_BUNDLE: undefined });
  }

  /** rclone's form of a password in its config file (reversible obfuscation, not a secret). */
  static async obscure(password: string): Promise<string> {
    return (await runPeer('rclone', ['obscure', password])).stdout.trim();
  }
}

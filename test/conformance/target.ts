// What a provider's test file hands to the conformance suite.
import type { Provider } from '../../shared/provider';

export interface ConformanceTarget {
  /** Shown in test names, e.g. "ftp (ftp-srv, explicit TLS)". */
  name: string;
  /**
   * Starts whatever the provider needs (a server, an emulator) and opens a provider. `root` is an existing,
   * empty folder inside the provider where the suite may create anything; `stop` closes the provider and
   * stops the server.
   */
  setup(): Promise<{ provider: Provider; root: string; stop(): Promise<void> }>;
  /** Largest file the suite round-trips, in MiB (default 64). */
  bigFileMiB?: number;
}

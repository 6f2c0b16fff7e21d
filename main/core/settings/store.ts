// The app's settings (shared/api/dto.ts settingsSchema) in settings.json in the data folder. Every change is
// validated, written atomically and announced, so each takes effect at once wherever it is read. A file that
// cannot be read (hand-edited, from a newer version) is set aside and the defaults are used: settings must
// never keep the app from starting.
import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { settingsSchema, type Settings, type SettingsPatch } from '../../../shared/api/dto';
import { FerryError } from '../../../shared/errors';
import { writeFileAtomic } from '../connections/atomic-file';
import type { Logger } from '../log/logger';

export const SETTINGS_FILE_NAME = 'settings.json';

export class SettingsStore {
  private current: Settings | undefined;
  private readonly listeners = new Set<(settings: Settings) => void>();
  private writing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dataDir: string,
    private readonly log: Logger,
  ) {}

  private get file(): string {
    return join(this.dataDir, SETTINGS_FILE_NAME);
  }

  async get(): Promise<Settings> {
    this.current ??= await this.load();
    return this.current;
  }

  /** Applies a (validated) patch, saves it and tells the listeners; resolves with the settings now in force. */
  async set(patch: SettingsPatch): Promise<Settings> {
    const next = settingsSchema.safeParse({ ...(await this.get()), ...patch });
    if (!next.success) {
      throw new FerryError(
        'InvalidInput',
        `These settings are not valid: ${next.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    }
    this.current = next.data;
    const text = JSON.stringify({ version: 1, settings: next.data }, null, 2);
    // One write at a time, in order: the last change wins on disk as in memory.
    this.writing = this.writing.then(() => writeFileAtomic(this.file, text));
    await this.writing;
    for (const listener of this.listeners) listener(next.data);
    return next.data;
  }

  on(listener: (settings: Settings) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async load(): Promise<Settings> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      return settingsSchema.parse({});
    }
    try {
      const parsed = JSON.parse(text) as { settings?: unknown };
      return settingsSchema.parse(parsed.settings ?? {});
    } catch (error) {
      const aside = `${this.file}.unreadable-${Date.now()}`;
      await rename(this.file, aside).catch(() => undefined);
      this.log.warn('The settings could not be read; they were set aside and the defaults apply', { aside, error });
      return settingsSchema.parse({});
    }
  }
}

// What every importer produces. An import is two steps: preview (parse a file into items the user can
// inspect and select; no secret value leaves the main process) and commit (save the selected items as
// connections, their secrets to the credential store).
import type { SecretField } from '../../../shared/connection';
import type { ConnectionDraftInput } from '../../../shared/connections';

// The preview's shapes are the API's (the renderer shows them): defined once, in shared/api/dto.ts.
export type { ImportFormat, ImportItem, ImportPreview, ImportStatus } from '../../../shared/api/dto';

/** What a format parser returns for one site, secrets included; turned into an ImportItem by preview. */
export interface ParsedSite {
  key: string;
  source: string;
  draft?: ConnectionDraftInput;
  secrets: Partial<Record<SecretField, string>>;
  missingSecrets?: SecretField[];
  unsupported?: boolean;
  warnings: string[];
}

export interface ParsedFile {
  sites: ParsedSite[];
  warnings: string[];
}

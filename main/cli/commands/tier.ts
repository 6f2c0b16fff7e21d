// `fileferry tier ADDRESS CLASS`: changes one file's S3 storage class or Azure access tier in place, through
// the provider's setStorageClass (S3: a copy onto itself; Azure: Set Blob Tier). One file at a time on
// purpose: a class change can start hours of rehydration or archive-retrieval charges, so a folder is
// refused rather than walked.
import { AZURE_TIERS, S3_STORAGE_CLASSES } from '../../../shared/connection';
import { FerryError } from '../../../shared/errors';
import { describeAddress } from '../address';
import { EXIT, UsageError } from '../exit-codes';
import { printable } from '../format';
import { parseAddressArg, type ResolvedLocation } from '../locations';
import { parseCommandArgs, withProvider, type Command } from './common';

/** The usage error for an address whose kind has no storage classes, saying which addresses have them. */
function noClasses(label: string, kind: string | undefined): UsageError {
  const reason =
    kind === 'local'
      ? 'files on this computer have no storage classes'
      : kind === 'ftp' || kind === 'ftps'
        ? 'FTP servers have no storage classes'
        : 'this is not an S3 or Azure Blob address';
  return new UsageError(
    `${label}: ${reason}. tier changes files on S3 (s3://…) and Azure Blob Storage (az://…), or NAME:path of a saved S3 or Azure connection.`,
  );
}

/** The class asked for in the service's own spelling ("cool" → "Cool"), checked against the target's kind. */
function chosenClass(value: string, location: ResolvedLocation): { kind: 's3' | 'azure-blob'; wanted: string } {
  const kind = 'spec' in location.ref ? location.ref.spec.kind : undefined;
  if (kind !== 's3' && kind !== 'azure-blob') throw noClasses(location.label, kind);
  const choices: readonly string[] = kind === 's3' ? S3_STORAGE_CLASSES : AZURE_TIERS;
  const wanted = choices.find((choice) => choice.toLowerCase() === value.trim().toLowerCase());
  if (!wanted) {
    const what = kind === 's3' ? 'an S3 storage class' : 'an Azure access tier';
    throw new UsageError(`"${value}" is not ${what}. Choose one of ${choices.join(', ')}.`);
  }
  return { kind, wanted };
}

/** What to tell the person after the change: above all, when the file cannot be read for hours. */
function outcome(label: string, kind: 's3' | 'azure-blob', before: string | undefined, wanted: string): string {
  const was = before ? ` (was ${before})` : '';
  if (kind === 'azure-blob' && before === 'Archive' && wanted !== 'Archive') {
    return [
      `Rehydration of ${label} from Archive to ${wanted} has started. It takes hours (up to 15); until it`,
      `finishes the blob stays in Archive and cannot be read. fileferry ls --json ${label} shows its state.`,
    ].join('\n');
  }
  if (wanted === 'Archive')
    return `${label} is now in Archive${was}. To read it again, rehydrate it first (fileferry tier ${label} Hot; takes hours).`;
  if (wanted === 'GLACIER' || wanted === 'DEEP_ARCHIVE')
    return `${label} is now ${wanted}${was}. It must be restored (hours) before it can be downloaded or copied.`;
  return `${label} is now ${wanted}${was}.`;
}

export const tier: Command = {
  usage: `fileferry tier ADDRESS CLASS [--idle-timeout SECONDS]

Changes the storage class of one file in place. CLASS is one of (any capitalisation):
  S3 storage classes   ${S3_STORAGE_CLASSES.join(', ')}
  Azure access tiers   ${AZURE_TIERS.join(', ')}
ADDRESS is s3://bucket/key, az://account/container/path, or NAME:path of a saved S3 or Azure
connection. Folders are refused: one file at a time.

From Archive to Hot, Cool or Cold, Azure rehydrates the blob, which takes hours; meanwhile it stays
unreadable and ls --json shows the rehydration under way. S3 objects in GLACIER or DEEP_ARCHIVE must
be restored before their class can change.

  --idle-timeout SECONDS
                      how long an S3 server may send nothing before it fails (default 120). Like every
                      command, tier takes --timeout too, but it limits only FTP operations.

Examples:
  fileferry tier s3://my-bucket/logs/2023.tar.gz STANDARD_IA
  fileferry tier az://myaccount/backups/db.bak Cool`,
  async run(args, context) {
    const { positionals, help } = parseCommandArgs(args, {}, { min: 2, max: 2, names: 'ADDRESS and CLASS' }, context);
    if (help) return (context.stdout.write(tier.usage + '\n'), EXIT.ok);
    const address = parseAddressArg(positionals[0]!);
    // Refused before resolving, so an FTP address never asks for a password it would not use.
    if (address.kind === 'local' || address.kind === 'ftp') throw noClasses(describeAddress(address), address.kind);
    const location = await context.connections.resolve(address);
    const { kind, wanted } = chosenClass(positionals[1]!, location);
    const message = await withProvider(context, location, async (provider) => {
      if (!provider.setStorageClass)
        throw new FerryError('Unsupported', `${location.label} cannot change storage classes.`);
      const entry = await provider.stat(location.path);
      if (entry.type === 'folder') {
        throw new UsageError(
          `${location.label} is a folder; tier changes one file at a time. Name a file (fileferry ls ${location.label} lists them).`,
        );
      }
      if (entry.storageClass === wanted) {
        // Nothing to change; an archived blob's state (a rehydration under way, say) is still worth saying.
        return [`${location.label} is already ${wanted}.`, entry.unavailable].filter(Boolean).join(' ');
      }
      await provider.setStorageClass(location.path, wanted);
      return outcome(location.label, kind, entry.storageClass, wanted);
    });
    // The unavailable reason is the service's text: shown, never obeyed (printable).
    context.stdout.write(printable(message, { lines: true }) + '\n');
    return EXIT.ok;
  },
};

// Changing the S3 storage class or the Azure access tier of files in place (browse.setStorageClass, one file at a
// time). Opened from the context menu as "Change storage class…" / "Change access tier…", and as "Restore /
// change tier…" for archived files: from Azure's Archive tier a change starts rehydration, which takes hours.
import * as Dialog from '@radix-ui/react-dialog';
import { Loader2 } from 'lucide-react';
import { useState } from 'react';
import { AZURE_TIERS, S3_STORAGE_CLASSES } from '../../../shared/connection';
import { joinPath } from '../../../shared/paths';
import type { Entry } from '../../../shared/provider';
import { useWorkspace } from '../app/workspace';
import { uiStore } from '../app/ui-store';
import { errorText } from '../common/error-text';
import { plural } from '../common/format';
import type { PaneLocation, PaneStore } from './pane-store';

const S3_NOTES: Record<string, string> = {
  STANDARD: 'Frequent access.',
  STANDARD_IA: 'Infrequent access: cheaper storage, a fee per read, 30 days minimum.',
  INTELLIGENT_TIERING: 'S3 moves it between tiers by use.',
  GLACIER_IR: 'Archive with reads in milliseconds; 90 days minimum.',
  GLACIER: 'Archive: must be restored (minutes to hours) before it can be read.',
  DEEP_ARCHIVE: 'Cheapest archive: restores take up to 48 hours.',
};

const AZURE_NOTES: Record<string, string> = {
  Hot: 'Frequent access.',
  Cool: 'Infrequent access, 30 days minimum.',
  Cold: 'Rare access, 90 days minimum.',
  Archive: 'Offline: must be rehydrated (up to 15 hours) before it can be read.',
};

export function StorageClassDialog({
  location,
  entries,
  store,
  onClose,
}: {
  location: PaneLocation;
  entries: Entry[];
  store: PaneStore;
  onClose: () => void;
}): React.JSX.Element {
  const { api } = useWorkspace();
  const azure = location.spec.kind === 'azure-blob';
  const choices: readonly string[] = azure ? AZURE_TIERS : S3_STORAGE_CLASSES;
  const notes = azure ? AZURE_NOTES : S3_NOTES;
  const current = entries.length === 1 ? entries[0]!.storageClass : undefined;
  const [choice, setChoice] = useState(current && choices.includes(current) ? current : choices[0]!);
  const [busy, setBusy] = useState(false);
  const [failures, setFailures] = useState<string[]>([]);
  const archived = entries.some((entry) => entry.unavailable !== undefined);
  const what = entries.length === 1 ? entries[0]!.name : plural(entries.length, 'file');
  const noun = azure ? 'access tier' : 'storage class';

  const apply = async () => {
    setBusy(true);
    const failed: string[] = [];
    for (const entry of entries) {
      try {
        await api.browse.setStorageClass({
          location: { connection: location.connection, path: joinPath(location.path, entry.name) },
          storageClass: choice,
        });
      } catch (error) {
        failed.push(`${entry.name}: ${errorText(error)}`);
      }
    }
    setBusy(false);
    store.getState().refresh();
    if (failed.length > 0) return setFailures(failed);
    uiStore
      .getState()
      .toast(
        'success',
        `${what}: ${noun} changed to ${choice}${archived && azure ? '; rehydration has started' : ''}.`,
      );
    onClose();
  };

  return (
    <Dialog.Root open onOpenChange={(open) => !open && onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog" onCloseAutoFocus={(event) => event.preventDefault()}>
          <Dialog.Title className="dialog-title">
            {archived ? `Restore ${what}` : `Change the ${noun} of ${what}`}
          </Dialog.Title>
          <Dialog.Description className="dialog-text">
            {archived
              ? azure
                ? 'Archived blobs cannot be read. Choosing an online tier starts rehydration, which takes up to 15 hours; the blob stays in Archive until it is done.'
                : 'Archived objects cannot be read or copied until S3 restores them. Changing the class copies the object in place, which S3 refuses for an archived object that has not been restored.'
              : `The ${noun} decides what storing and reading it costs. The file is not downloaded: the change happens on the site.`}
          </Dialog.Description>
          <fieldset className="class-choices">
            <legend className="sr-only">{azure ? 'Access tier' : 'Storage class'}</legend>
            {choices.map((option) => (
              <label key={option} className="class-choice">
                <input
                  type="radio"
                  name="storage-class"
                  value={option}
                  checked={choice === option}
                  onChange={() => setChoice(option)}
                />
                <span className="class-name">{option}</span>
                {option === current && <span className="kind-badge">current</span>}
                <span className="class-note">{notes[option]}</span>
              </label>
            ))}
          </fieldset>
          {failures.length > 0 && (
            <div className="cm-failure" role="alert">
              {failures.map((failure) => (
                <p key={failure}>{failure}</p>
              ))}
            </div>
          )}
          <div className="dialog-buttons">
            <Dialog.Close asChild>
              <button type="button">Cancel</button>
            </Dialog.Close>
            <button
              type="button"
              className="primary"
              disabled={busy || (entries.length === 1 && choice === current)}
              onClick={() => void apply()}
            >
              {busy && <Loader2 size={13} className="spinning" aria-hidden />} {archived ? 'Restore' : 'Change'}
            </button>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

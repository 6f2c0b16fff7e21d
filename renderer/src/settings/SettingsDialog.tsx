// Settings: each takes effect at once and persists (settings.set; the main process announces the change to
// every window). No Save button: a change is a change.
import * as Dialog from '@radix-ui/react-dialog';
import { useStore } from 'zustand';
import { OVERWRITE_POLICIES, type OverwritePolicy } from '../../../shared/transfers';
import type { SettingsPatch } from '../../../shared/api';
import { uiStore } from '../app/ui-store';
import { useWorkspace } from '../app/workspace';
import { SummarySettingsSection } from '../summaries/SummarySettingsSection';
import { settingsStore } from './settings-store';

const POLICY_LABELS: Record<OverwritePolicy, string> = {
  ask: 'Ask each time',
  overwrite: 'Overwrite',
  skip: 'Skip',
  'if-newer': 'Overwrite if newer',
  'if-size-differs': 'Overwrite if the size differs',
  resume: 'Resume',
  rename: 'Keep both (rename the new one)',
};

/** How long the history keeps a record (a record still waiting to upload to the account is kept regardless). */
const RETENTION_DAYS: ReadonlyArray<[number, string]> = [
  [30, '30 days'],
  [90, '90 days'],
  [365, '1 year'],
  [1095, '3 years'],
];

export function SettingsDialog({ onClose }: { onClose: () => void }): React.JSX.Element {
  const { api } = useWorkspace();
  const settings = useStore(settingsStore, (state) => state.settings);
  const change = (patch: SettingsPatch) =>
    void api.settings
      .set(patch)
      .then((next) => settingsStore.getState().set(next))
      .catch((error: unknown) =>
        uiStore.getState().toast('error', error instanceof Error ? error.message : String(error)),
      );
  return (
    <Dialog.Root open onOpenChange={(open) => !open && onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog wide">
          <Dialog.Title className="dialog-title">Settings</Dialog.Title>
          <Dialog.Description className="dialog-text">Changes take effect at once.</Dialog.Description>
          <div className="settings-grid">
            <label className="field">
              <span>Theme</span>
              <select value={settings.theme} onChange={(event) => change({ theme: event.target.value as 'system' })}>
                <option value="system">Follow the system</option>
                <option value="light">Light</option>
                <option value="dark">Dark</option>
              </select>
            </label>
            <label className="field">
              <span>When a file exists</span>
              <select
                value={settings.defaultOverwrite}
                onChange={(event) => change({ defaultOverwrite: event.target.value as OverwritePolicy })}
              >
                {OVERWRITE_POLICIES.map((policy) => (
                  <option key={policy} value={policy}>
                    {POLICY_LABELS[policy]}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>Transfers at once per site</span>
              <select
                value={settings.perSiteConcurrency ?? ''}
                onChange={(event) =>
                  change({ perSiteConcurrency: event.target.value ? Number(event.target.value) : null })
                }
              >
                <option value="">Each connection's own limit</option>
                {[1, 2, 3, 4, 6, 8, 12, 16].map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>Keep the transfer history</span>
              <select
                value={settings.historyRetentionDays ?? ''}
                onChange={(event) =>
                  change({ historyRetentionDays: event.target.value ? Number(event.target.value) : null })
                }
              >
                <option value="">For ever</option>
                {RETENTION_DAYS.map(([days, label]) => (
                  <option key={days} value={days}>
                    {label}
                  </option>
                ))}
              </select>
            </label>
            <label className="checkbox">
              <input
                type="checkbox"
                checked={settings.confirmDelete}
                onChange={(event) => change({ confirmDelete: event.target.checked })}
              />
              Confirm before deleting
            </label>
            <label className="checkbox">
              <input
                type="checkbox"
                checked={settings.showHidden}
                onChange={(event) => change({ showHidden: event.target.checked })}
              />
              Show hidden files
            </label>
            <label className="checkbox">
              <input
                type="checkbox"
                checked={settings.compactRows}
                onChange={(event) => change({ compactRows: event.target.checked })}
              />
              Compact rows
            </label>
            <SummarySettingsSection />
          </div>
          <div className="dialog-buttons">
            <Dialog.Close asChild>
              <button type="button" className="primary">
                Done
              </button>
            </Dialog.Close>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

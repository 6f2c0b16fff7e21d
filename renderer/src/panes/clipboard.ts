import { uiStore } from '../app/ui-store';
import { errorText } from '../common/error-text';

// Text to the clipboard: the async Clipboard API where the page may use it (web mode, a user gesture), else the
// older copy command on a hidden text field, which needs no permission. The desktop shell denies every
// permission request (main/electron/hardening.ts), which may include the Clipboard API's write.
export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch {
    // Fall through to the copy command.
  }
  const field = document.createElement('textarea');
  field.value = text;
  field.setAttribute('readonly', '');
  field.className = 'clipboard-source';
  document.body.append(field);
  const focused = document.activeElement as HTMLElement | null;
  field.select();
  const copied = document.execCommand('copy');
  field.remove();
  focused?.focus();
  if (!copied) throw new Error('The clipboard refused the text. Select it and copy it by hand.');
}

/** Copies an address (or several, one a line) and says so in a toast, or says why it could not. */
export function copyAddresses(addresses: string[]): void {
  const text = addresses.join('\n');
  copyText(text).then(
    () =>
      uiStore
        .getState()
        .toast('info', addresses.length === 1 ? `Copied ${text}` : `Copied ${addresses.length} addresses`),
    (error: unknown) => uiStore.getState().toast('error', errorText(error)),
  );
}

// The × in a dialog's header, one for every dialog: the same look, and the accessible name "Close" that screen
// readers and the tests find it by.
import * as Dialog from '@radix-ui/react-dialog';
import { X } from 'lucide-react';

export function DialogCloseButton(): React.JSX.Element {
  return (
    <Dialog.Close asChild>
      <button type="button" className="icon-button" aria-label="Close">
        <X size={16} />
      </button>
    </Dialog.Close>
  );
}

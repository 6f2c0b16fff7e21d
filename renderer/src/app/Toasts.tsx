// Toasts, for events that happened elsewhere than where the user is looking (a queue finished, a copy could
// not be queued). A polite live region: screen readers hear them without losing their place.
import { X } from 'lucide-react';
import { useStore } from 'zustand';
import { uiStore } from './ui-store';

export function Toasts(): React.JSX.Element {
  const toasts = useStore(uiStore, (state) => state.toasts);
  return (
    <div className="toasts" role="status" aria-live="polite">
      {toasts.map((toast) => (
        <div key={toast.id} className={`toast ${toast.tone}`}>
          <span>{toast.message}</span>
          <button
            type="button"
            className="icon-button"
            aria-label="Dismiss"
            onClick={() => uiStore.getState().dismiss(toast.id)}
          >
            <X size={13} />
          </button>
        </div>
      ))}
    </div>
  );
}

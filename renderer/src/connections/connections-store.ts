// The saved connections as the window knows them (summaries: no secrets), refreshed after every change.
import { createStore } from 'zustand/vanilla';
import type { ConnectionSummary, FileFerryApi } from '../../../shared/api';

export interface ConnectionsState {
  connections: ConnectionSummary[];
  reload(api: FileFerryApi): Promise<void>;
}

export const connectionsStore = createStore<ConnectionsState>()((set) => ({
  connections: [],
  async reload(api) {
    set({ connections: await api.connections.list() });
  },
}));

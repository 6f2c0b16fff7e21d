// The settings in force, as the main process last announced them ('settings' events) or answered them.
import { createStore } from 'zustand/vanilla';
import { settingsSchema, type Settings } from '../../../shared/api';

export const settingsStore = createStore<{ settings: Settings; set(settings: Settings): void }>()((set) => ({
  settings: settingsSchema.parse({}),
  set: (settings) => set({ settings }),
}));

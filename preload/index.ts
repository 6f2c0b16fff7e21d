// The bridge: one method per API call, each forwarding to its IPC channel. No logic, and never the raw
// ipcRenderer (a renderer holding it could call any channel).
import { contextBridge, ipcRenderer } from 'electron';
import { API_CHANNELS, API_GLOBAL, type FileFerryApi } from '../shared/api';

const api: FileFerryApi = {
  version: () => ipcRenderer.invoke(API_CHANNELS.version),
};

contextBridge.exposeInMainWorld(API_GLOBAL, api);

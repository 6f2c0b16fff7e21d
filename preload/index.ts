// The preload: exposes the bridge (bridge.ts) on window[API_GLOBAL] and nothing else. It runs sandboxed, so it
// is bundled into one CommonJS script with only 'electron' left to require().
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { API_GLOBAL } from '../shared/api';
import { createDesktopBridge } from './bridge';

contextBridge.exposeInMainWorld(
  API_GLOBAL,
  createDesktopBridge(ipcRenderer, (file) => webUtils.getPathForFile(file)),
);

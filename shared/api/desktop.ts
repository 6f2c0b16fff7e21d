// IPC channels of the desktop app beyond the API itself (API_CHANNELS, EVENT_CHANNELS): what only Electron's
// preload and main process exchange, named once so both sides agree.

/** The preload's startDrag(locations): a one-way message; main downloads remote files, then starts the drag. */
export const DRAG_OUT_CHANNEL = 'ferry-desktop:start-drag';

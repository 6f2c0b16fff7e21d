export { addressIn, connectionLabel, recordSide, type RecordSide, type SavedName } from './addresses';
export { readDevice, setDeviceName, type Device } from './device';
export { HistoryRecorder, type HistoryOptions } from './recorder';
export { HistoryStore, HISTORY_FILE, type OpenedHistory } from './store';
export { applyRetention, openHistory, type OpenHistory } from './open';

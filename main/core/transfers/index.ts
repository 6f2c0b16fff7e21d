// The transfer engine's public surface: the CLI, the Electron shell and the web server use only this.
export { TransferEngine } from './engine';
export type { TransferEngineOptions } from './engine';
export type { OpenConnection } from './provider-cache';
export { transferRequestSchema, parseTransferRequest } from './request-schema';
export { connectionKey } from './connection-key';
export type { FileRecord, FilePlan } from './job-model';
export { isTempName, tempPathFor } from './temp-name';

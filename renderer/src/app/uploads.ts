// Web mode's side of files dropped from outside the page: the browser holds their bytes, so each is sent to
// the web server (same origin, the session's cookie) once the queue has a job for them (transfers.upload);
// the server streams each request into the target through that job. The desktop app never comes here: it
// drops files by path (workspace.tsx).
import type { ApiLocation, FileFerryApi } from '../../../shared/api';
import { queueStore } from '../queue/queue-store';
import { uiStore } from './ui-store';

export async function uploadDroppedFiles(api: FileFerryApi, target: ApiLocation, files: File[]): Promise<void> {
  const plain = files.filter((file) => file.name !== '');
  if (plain.length === 0) return;
  try {
    const { uploadId, job } = await api.transfers.upload({
      target,
      files: plain.map((file) => ({ name: file.name, size: file.size, modified: file.lastModified })),
    });
    queueStore.getState().receive({ type: 'job', job });
    await Promise.all(
      plain.map(async (file, index) => {
        const response = await fetch(`/uploads/${encodeURIComponent(uploadId)}/${index}`, {
          method: 'PUT',
          body: file,
          headers: { 'content-type': 'application/octet-stream' },
        });
        if (!response.ok) throw new Error(`${file.name}: ${(await response.text()) || response.statusText}`);
      }),
    );
  } catch (error) {
    uiStore
      .getState()
      .toast(
        'error',
        `The dropped files could not be uploaded: ${error instanceof Error ? error.message : String(error)}`,
      );
  }
}

// PDF text through pdfjs-dist (its legacy build, made for Node), page by page until the text passes the bound.
// Loaded on first use: it is large, and the CLI starts without it. In Node, pdfjs runs its worker code in this
// thread (a "fake worker"); giving it the worker module ourselves (globalThis.pdfjsWorker, pdfjs's own hook
// for bundlers) spares it an import by relative path, which a bundled build (out/cli) would not resolve.
import type { CancelSignal } from '../../../../shared/provider';
import { throwIfAborted } from '../../util/abort';
import { utf8Length } from './bound';

export type DocumentText = { ok: true; text: string; pages?: number; cut: boolean } | { ok: false; reason: string };

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');

let loading: Promise<PdfJs> | undefined;

function loadPdfJs(): Promise<PdfJs> {
  loading ??= (async () => {
    const [pdfjs, worker] = await Promise.all([
      import('pdfjs-dist/legacy/build/pdf.mjs'),
      import('pdfjs-dist/legacy/build/pdf.worker.mjs'),
    ]);
    (globalThis as { pdfjsWorker?: unknown }).pdfjsWorker ??= worker;
    return pdfjs;
  })();
  return loading;
}

/** The text of a PDF's pages, stopping once it holds more than `maxBytes` of UTF-8. */
export async function pdfText(data: Uint8Array, maxBytes: number, signal?: CancelSignal): Promise<DocumentText> {
  const pdfjs = await loadPdfJs();
  const task = pdfjs.getDocument({
    // pdfjs may take the buffer over (transfer it to a worker): it gets a copy of its own.
    data: new Uint8Array(data),
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    stopAtErrors: false,
    verbosity: pdfjs.VerbosityLevel.ERRORS,
  });
  try {
    const document = await task.promise;
    const pages: string[] = [];
    let bytes = 0;
    let cut = false;
    for (let n = 1; n <= document.numPages; n++) {
      throwIfAborted(signal, 'Reading the PDF');
      if (bytes > maxBytes) {
        cut = true;
        break;
      }
      const page = await document.getPage(n);
      const content = await page.getTextContent();
      let text = '';
      for (const item of content.items) {
        if (!('str' in item)) continue;
        text += item.str + (item.hasEOL ? '\n' : '');
      }
      page.cleanup();
      pages.push(text.trim());
      bytes += utf8Length(text) + 2;
    }
    return { ok: true, text: pages.join('\n\n'), pages: document.numPages, cut };
  } catch (error) {
    const name = (error as { name?: unknown } | null)?.name;
    if (name === 'PasswordException') return { ok: false, reason: 'PDF protected by a password' };
    if (name === 'InvalidPDFException') return { ok: false, reason: 'damaged PDF, or no PDF at all' };
    if ((error as { code?: unknown } | null)?.code === 'Cancelled') throw error;
    return { ok: false, reason: 'PDF that could not be read' };
  } finally {
    await task.destroy().catch(() => undefined);
  }
}

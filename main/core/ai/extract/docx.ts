// DOCX text through mammoth (raw text, no formatting), loaded on first use so the CLI starts without it.
import type { DocumentText } from './pdf';

export async function docxText(data: Uint8Array): Promise<DocumentText> {
  const loaded = await import('mammoth');
  // A CommonJS package: bundled into the command line's ESM build its functions are on `default` only (tsx and
  // Node's own loader also offer them by name).
  const mammoth = ('default' in loaded ? loaded.default : loaded) as typeof loaded;
  try {
    const result = await mammoth.extractRawText({ buffer: Buffer.from(data.buffer, data.byteOffset, data.byteLength) });
    return { ok: true, text: result.value.trim(), cut: false };
  } catch {
    // mammoth's messages name zip internals ("Could not find file in options"); none helps a person.
    return { ok: false, reason: 'Word document (DOCX) that could not be read' };
  }
}

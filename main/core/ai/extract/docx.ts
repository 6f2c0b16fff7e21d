// DOCX text through mammoth (raw text, no formatting), loaded on first use so the CLI starts without it.
import type { DocumentText } from './pdf';

export async function docxText(data: Uint8Array): Promise<DocumentText> {
  const mammoth = await import('mammoth');
  try {
    const result = await mammoth.extractRawText({ buffer: Buffer.from(data.buffer, data.byteOffset, data.byteLength) });
    return { ok: true, text: result.value.trim(), cut: false };
  } catch {
    // mammoth's messages name zip internals ("Could not find file in options"); none helps a person.
    return { ok: false, reason: 'Word document (DOCX) that could not be read' };
  }
}

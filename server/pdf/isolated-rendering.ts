import { boundedThreads } from '../isolation/bounded-threads.ts';
import type { AgreementDocument } from './document-model.ts';
import type { RenderedPdf } from './render-pdf.ts';

/**
 * Drafts and originals are typeset in worker threads: what a render costs depends on text people
 * wrote (words the process has never shaped cost about 60 µs a character), and no render may hold
 * the server's own thread while other users wait. One thread stays warm with its fonts loaded and
 * its line-break memory filled; two run at once, one per core.
 */
const renderInThread = boundedThreads<AgreementDocument, RenderedPdf>(
  new URL('./render-pdf.worker.ts', import.meta.url),
  // A three-language original takes 1.3 s in a fresh thread and tens of ms in a warm one; 60 s is for a
  // queue behind the largest texts the rules allow, not for one render.
  { timeMs: 60_000, memoryMb: 1024, threads: 2, queued: 32, warmThreads: 1 },
  'Typesetting the agreement',
);

/** renderAgreementPdf in a bounded worker thread: the same bytes, or a 422 naming the bound exceeded. */
export async function renderAgreementPdfIsolated(document: AgreementDocument): Promise<RenderedPdf> {
  const { pdf, ...rest } = await renderInThread(document);
  // A Buffer arrives as a plain Uint8Array from another thread.
  return { ...rest, pdf: Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength) };
}

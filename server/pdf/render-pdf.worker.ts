import { outcomeOf, type ThreadOutcome } from '../isolation/bounded-threads.ts';
import type { AgreementDocument } from './document-model.ts';
import { renderAgreementPdf, type RenderedPdf } from './render-pdf.ts';
import { loadTypesettingCache } from './typesetting-cache.ts';

// What `npm run typesetting-cache` stored for these fonts and this code, if it was run: the thread's
// first document then finds the clause library's words shaped and paragraphs broken.
loadTypesettingCache();

/** Runs in a worker thread (see isolated-rendering.ts): one original or draft per call. */
export default function renderInWorker(document: AgreementDocument): Promise<ThreadOutcome<RenderedPdf>> {
  return outcomeOf(() => renderAgreementPdf(document));
}

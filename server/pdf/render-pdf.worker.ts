import { outcomeOf, type ThreadOutcome } from '../isolation/bounded-threads.ts';
import type { AgreementDocument } from './document-model.ts';
import { renderAgreementPdf, type RenderedPdf } from './render-pdf.ts';

/** Runs in a worker thread (see isolated-rendering.ts): one original or draft per call. */
export default function renderInWorker(document: AgreementDocument): Promise<ThreadOutcome<RenderedPdf>> {
  return outcomeOf(() => renderAgreementPdf(document));
}

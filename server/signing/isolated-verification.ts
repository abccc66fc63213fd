import { boundedThreads } from '../isolation/bounded-threads.ts';
import type { PublishedCrl } from './revocation-checks.ts';
import type { PdfVerification, TrustAnchor } from './verify-pdf.ts';
import type { VerificationTask } from './verify-pdf.worker.ts';

/**
 * Uploaded PDFs are verified in bounded worker threads: pdf-lib reads a file eagerly and trusts it.
 * pdf-limits.ts refuses the known bombs before they cost anything; these bounds catch the unknown ones.
 */
const verifyInThread = boundedThreads<VerificationTask, PdfVerification>(
  new URL('./verify-pdf.worker.ts', import.meta.url),
  // 512 MB: a 30 MB original needs about a tenth. Two threads for two cores; a thread starts in a few hundred ms.
  { timeMs: 20_000, memoryMb: 512, threads: 2, queued: 8, warmThreads: 0 },
  'Verifying the PDF',
);

/** verifyPdf in a bounded worker thread: the same answer, or a 422 naming the bound a file exceeded. */
export function verifyPdfIsolated(
  pdf: Uint8Array,
  trustAnchors: readonly TrustAnchor[],
  now: Date,
  crls: readonly PublishedCrl[],
): Promise<PdfVerification> {
  return verifyInThread({ pdf, trustAnchors, now, crls });
}

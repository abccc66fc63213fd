import { outcomeOf, type ThreadOutcome } from '../isolation/bounded-threads.ts';
import type { PublishedCrl } from './revocation-checks.ts';
import { verifyPdf, type PdfVerification, type TrustAnchor } from './verify-pdf.ts';

/** What the server hands a verification thread: plain data, copied across the thread boundary. */
export interface VerificationTask {
  readonly pdf: Uint8Array;
  readonly trustAnchors: readonly TrustAnchor[];
  readonly now: Date;
  readonly crls: readonly PublishedCrl[];
}

/** Runs in a worker thread (see isolated-verification.ts): one uploaded PDF per call. */
export default function verifyInWorker({ pdf, trustAnchors, now, crls }: VerificationTask): Promise<ThreadOutcome<PdfVerification>> {
  return outcomeOf(() => verifyPdf(Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength), trustAnchors, now, crls));
}

import { Piscina } from 'piscina';
import { DomainError, ServiceUnavailableError } from '../errors.ts';
import { PdfLimitError } from './pdf-limits.ts';
import type { PdfVerification, TrustAnchor } from './verify-pdf.ts';
import type { VerificationOutcome, VerificationTask } from './verify-pdf.worker.ts';

/**
 * Uploaded PDFs are verified in worker threads, never in the server's own thread: whatever a hostile
 * file costs (pdf-lib reads eagerly and trusts the file), it costs a thread that has its own heap limit
 * and a time budget, and is thrown away when it exceeds either, while the server keeps answering.
 * pdf-limits.ts refuses the known bombs before they cost anything; these bounds catch the unknown ones.
 */
export const VERIFICATION_BOUNDS = {
  /** From the upload's arrival to the verdict, waiting for a free thread included. */
  timeMs: 20_000,
  /** The old generation of a verification thread's heap; a 30 MB original needs about a tenth. */
  memoryMb: 512,
  /** Verifications at once; two cores, and each may use memoryMb. */
  threads: 2,
  /** Uploads waiting for a thread; beyond them the server answers 503 rather than hold more in memory. */
  queued: 8,
} as const;

let pool: Piscina<VerificationTask, VerificationOutcome> | undefined;

function verificationThreads(): Piscina<VerificationTask, VerificationOutcome> {
  pool ??= new Piscina({
    filename: new URL('./verify-pdf.worker.ts', import.meta.url).href,
    minThreads: 0,
    maxThreads: VERIFICATION_BOUNDS.threads,
    maxQueue: VERIFICATION_BOUNDS.queued,
    // Loading pdf-lib and pkijs takes a thread a few hundred ms: keep it a while for the next upload.
    idleTimeout: 60_000,
    resourceLimits: { maxOldGenerationSizeMb: VERIFICATION_BOUNDS.memoryMb, maxYoungGenerationSizeMb: 64, stackSizeMb: 4 },
  });
  return pool;
}

/** verifyPdf in a bounded worker thread: the same answer, or a 422 naming the bound a file exceeded. */
export async function verifyPdfIsolated(pdf: Uint8Array, trustAnchors: readonly TrustAnchor[], now: Date): Promise<PdfVerification> {
  let outcome: VerificationOutcome;
  try {
    outcome = await verificationThreads().run({ pdf, trustAnchors, now }, { signal: AbortSignal.timeout(VERIFICATION_BOUNDS.timeMs) });
  } catch (error) {
    throw boundExceeded(error) ?? error;
  }
  if (!outcome.ok) throw new DomainError(outcome.code, outcome.detail, outcome.extensions);
  return outcome.verification;
}

function boundExceeded(error: unknown): DomainError | undefined {
  if (!(error instanceof Error)) return undefined;
  if (error.name === 'AbortError' || error.name === 'TimeoutError') {
    return new PdfLimitError(`Verifying the PDF did not finish within ${VERIFICATION_BOUNDS.timeMs / 1000} s, the limit for one file`, 'timeMs');
  }
  if ((error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new PdfLimitError(`Reading the PDF needed more than ${VERIFICATION_BOUNDS.memoryMb} MB, the limit for one file`, 'memoryMb');
  }
  if (error.message === 'Task queue is at limit') {
    return new ServiceUnavailableError('Too many PDFs are being verified at once; send this one again shortly', 5);
  }
  return undefined;
}

import { DomainError, type ErrorCode } from '../errors.ts';
import { verifyPdf, type PdfVerification, type TrustAnchor } from './verify-pdf.ts';

/** What the server hands a verification thread: plain data, copied across the thread boundary. */
export interface VerificationTask {
  readonly pdf: Uint8Array;
  readonly trustAnchors: readonly TrustAnchor[];
  readonly now: Date;
}

/** A DomainError does not survive the copy between threads as its class, so it travels as its parts. */
export type VerificationOutcome =
  | { readonly ok: true; readonly verification: PdfVerification }
  | { readonly ok: false; readonly code: ErrorCode; readonly detail: string; readonly extensions: Record<string, unknown> };

/** Runs in a piscina worker thread (see isolated-verification.ts): one uploaded PDF per call. */
export default async function verifyInWorker({ pdf, trustAnchors, now }: VerificationTask): Promise<VerificationOutcome> {
  try {
    return { ok: true, verification: await verifyPdf(Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength), trustAnchors, now) };
  } catch (error) {
    if (error instanceof DomainError) return { ok: false, code: error.code, detail: error.detail, extensions: error.extensions };
    throw error;
  }
}

import type { Queryable } from '../connection.ts';

/** A revision of one original prepared for a signature made outside the server, and what came back. */
export interface SigningRequest {
  readonly agreementId: number;
  /** Whose original the revision is prepared in. */
  readonly original: string;
  readonly userId: number;
  readonly agreementVersion: number;
  readonly baseRevision: number;
  readonly signingTime: string;
  readonly certificateSha256: string;
  /** /ByteRange set, /Contents all zeros. */
  readonly preparedPdf: Buffer;
  /** SHA-256 (hex) of the bytes /ByteRange covers. */
  readonly digest: string;
  /** The revision with the checked signature embedded; null until it has come back. */
  readonly signedPdf: Buffer | null;
  readonly createdAt: string;
  readonly expiresAt: string;
}

interface SigningRequestRow {
  agreement_id: number;
  original: string;
  user_id: number;
  agreement_version: number;
  base_revision: number;
  signing_time: string;
  certificate_sha256: string;
  prepared_pdf: Buffer | Uint8Array;
  digest: string;
  signed_pdf: Buffer | Uint8Array | null;
  created_at: string;
  expires_at: string;
}

const toRequest = (row: SigningRequestRow): SigningRequest => ({
  agreementId: row.agreement_id,
  original: row.original,
  userId: row.user_id,
  agreementVersion: row.agreement_version,
  baseRevision: row.base_revision,
  signingTime: row.signing_time,
  certificateSha256: row.certificate_sha256,
  preparedPdf: Buffer.from(row.prepared_pdf),
  digest: row.digest,
  signedPdf: row.signed_pdf === null ? null : Buffer.from(row.signed_pdf),
  createdAt: row.created_at,
  expiresAt: row.expires_at,
});

/** Stores the request, replacing the user's earlier one for the same original of the agreement. Call it in a transaction. */
export async function replaceSigningRequest(db: Queryable, request: Omit<SigningRequest, 'signedPdf'>): Promise<void> {
  await db('signing_requests').where({ agreement_id: request.agreementId, original: request.original, user_id: request.userId }).delete();
  await db('signing_requests').insert({
    agreement_id: request.agreementId,
    original: request.original,
    user_id: request.userId,
    agreement_version: request.agreementVersion,
    base_revision: request.baseRevision,
    signing_time: request.signingTime,
    certificate_sha256: request.certificateSha256,
    prepared_pdf: request.preparedPdf,
    digest: request.digest,
    signed_pdf: null,
    created_at: request.createdAt,
    expires_at: request.expiresAt,
  });
}

/** The user's pending requests for the agreement, by original. */
export async function findSigningRequests(db: Queryable, agreementId: number, userId: number): Promise<SigningRequest[]> {
  const rows = await db<SigningRequestRow>('signing_requests').where({ agreement_id: agreementId, user_id: userId }).orderBy('original');
  return rows.map(toRequest);
}

/**
 * Records the signed revision, only if the request is still the one that was checked (same digest):
 * false when a newer request replaced it meanwhile.
 */
export async function completeSigningRequest(db: Queryable, request: SigningRequest, signedPdf: Buffer): Promise<boolean> {
  const updated = await db('signing_requests')
    .where({ agreement_id: request.agreementId, original: request.original, user_id: request.userId, digest: request.digest })
    .update({ signed_pdf: signedPdf });
  return updated === 1;
}

/** Forgets the user's requests for the agreement: done once their SIGN has committed. */
export async function deleteSigningRequests(db: Queryable, agreementId: number, userId: number): Promise<void> {
  await db('signing_requests').where({ agreement_id: agreementId, user_id: userId }).delete();
}

import type { Knex } from 'knex';
import { insertOriginalRevision, type OriginalRevision } from '../../db/repositories/originals.repository.ts';
import { insertSignature, listSignatures } from '../../db/repositories/signatures.repository.ts';
import { deleteSigningRequests } from '../../db/repositories/signing-requests.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import { scheduleLongTermValidation } from './extend-long-term-validation.ts';

/** A signatory's signature on every original, made before the transaction: what a SIGN commits. */
export interface SignedOriginals {
  readonly revisions: readonly OriginalRevision[];
  readonly certificateSubject: string;
}

/**
 * The one place a signature is committed: the signed revisions of the originals and the signature row,
 * inside the SIGN event's transaction (commitTransition, after its version-guarded update and audit
 * entry). Both ways of signing arrive here through the effect table's signOriginals handler: a SIGN with
 * the server-held key (sendAgreementEvent, which prepares the signatures with signAgreement) and an
 * external signature (completeExternalSignature, which brings the signatures made on the device to
 * applyEvent).
 */
export async function commitSignature(
  trx: Knex.Transaction,
  agreementId: number,
  signer: User,
  signed: SignedOriginals,
  at: Date,
): Promise<void> {
  for (const revision of signed.revisions) await insertOriginalRevision(trx, revision);
  await insertSignature(trx, agreementId, {
    party: signer.party,
    userId: signer.id,
    certificateSubject: signed.certificateSubject,
    signedAt: at.toISOString(),
  });
  // Signed now: the signatory's pending external signing requests are moot.
  await deleteSigningRequests(trx, agreementId, signer.id);
  // Every party has signed every original (each signatory signs them all): the originals get their DSS and
  // document timestamp (PAdES B-LTA) from the scheduler, in a transaction of its own.
  const signedBy = new Set((await listSignatures(trx, agreementId)).map((signature) => signature.party));
  if (signed.revisions.every((revision) => signedBy.has(revision.party))) await scheduleLongTermValidation(trx, agreementId, at);
}

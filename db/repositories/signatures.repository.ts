import type { Queryable } from '../connection.ts';

export interface SignatureRecord {
  readonly party: string;
  readonly userId: number;
  readonly signer: string;
  readonly certificateSubject: string;
  readonly signedAt: string;
}

/** Records a party's signature; with every party's, the agreement's signed_at (the register sorts by it) becomes the last one's time. */
export async function insertSignature(db: Queryable, agreementId: number, signature: Omit<SignatureRecord, 'signer'>): Promise<void> {
  await db('signatures').insert({
    agreement_id: agreementId,
    party_key: signature.party,
    user_id: signature.userId,
    certificate_subject: signature.certificateSubject,
    signed_at: signature.signedAt,
  });
  await db('agreements')
    .where({ id: agreementId })
    .update({
      signed_at: db.raw(
        `(SELECT MAX(s.signed_at) FROM signatures s WHERE s.agreement_id = ?
          HAVING COUNT(*) = (SELECT COUNT(*) FROM agreement_parties p WHERE p.agreement_id = ?))`,
        [agreementId, agreementId],
      ),
    });
}

/** The agreement's signatures in the order they were made. */
export async function listSignatures(db: Queryable, agreementId: number): Promise<SignatureRecord[]> {
  const rows = await db('signatures')
    .join('users', 'users.id', 'signatures.user_id')
    .where({ agreement_id: agreementId })
    .orderBy('signatures.id')
    .select('signatures.party_key', 'signatures.user_id', 'users.email', 'signatures.certificate_subject', 'signatures.signed_at');
  return rows.map((row) => ({
    party: row.party_key,
    userId: row.user_id,
    signer: row.email,
    certificateSubject: row.certificate_subject,
    signedAt: row.signed_at,
  }));
}

import type { Queryable } from '../connection.ts';

/** RFC 5280 §5.3.1 CRLReason values a party administrator may give. */
export const REVOCATION_REASONS = ['unspecified', 'keyCompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation'] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

/** A revoked certificate, as its CA publishes it and as the record of who revoked it. */
export interface CertificateRevocation {
  readonly party: string;
  readonly credentialId: number;
  /** Lowercase hex, without leading zero bytes beyond what DER keeps. */
  readonly serialNumber: string;
  readonly revokedAt: string;
  readonly reason: RevocationReason;
  readonly revokedBy: string;
  readonly explanation: string;
}

/** Records a revocation; false when the credential was revoked already (a revocation is final). */
export async function insertRevocation(db: Queryable, revocation: CertificateRevocation): Promise<boolean> {
  const rows = await db('certificate_revocations')
    .insert({
      party_key: revocation.party,
      credential_id: revocation.credentialId,
      serial_number: revocation.serialNumber,
      revoked_at: revocation.revokedAt,
      reason: revocation.reason,
      revoked_by: revocation.revokedBy,
      explanation: revocation.explanation,
    })
    .onConflict('credential_id')
    .ignore()
    .returning('id');
  return rows.length > 0;
}

export async function findRevocationOfCredential(db: Queryable, credentialId: number): Promise<CertificateRevocation | undefined> {
  const row = await db('certificate_revocations').where({ credential_id: credentialId }).first();
  return row && toRevocation(row);
}

/** Every certificate of the party's signatories its administrator revoked, oldest first, with the certificate itself. */
export async function listPartyRevocations(db: Queryable, party: string): Promise<(CertificateRevocation & { certificatePem: string })[]> {
  const rows = await db('certificate_revocations')
    .join('credentials', 'credentials.id', 'certificate_revocations.credential_id')
    .where({ 'certificate_revocations.party_key': party })
    .orderBy('certificate_revocations.id')
    .select('certificate_revocations.*', 'credentials.certificate_pem');
  return rows.map((row) => ({ ...toRevocation(row), certificatePem: row.certificate_pem }));
}

const toRevocation = (row: Record<string, unknown>): CertificateRevocation => ({
  party: row.party_key as string,
  credentialId: row.credential_id as number,
  serialNumber: row.serial_number as string,
  revokedAt: row.revoked_at as string,
  reason: row.reason as RevocationReason,
  revokedBy: row.revoked_by as string,
  explanation: row.explanation as string,
});

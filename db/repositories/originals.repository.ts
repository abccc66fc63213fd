import type { Queryable } from '../connection.ts';
import type { SignatureField } from '../stored-shapes.ts';

export interface OriginalRevision {
  readonly agreementId: number;
  readonly party: string;
  readonly revision: number;
  readonly sha256: string;
  readonly pdf: Buffer;
  readonly signatureFields: readonly SignatureField[];
  readonly createdAt: string;
}

/** Appends a revision of a party's original; revisions are never overwritten. */
export async function insertOriginalRevision(db: Queryable, revision: OriginalRevision): Promise<void> {
  await db('originals').insert({
    agreement_id: revision.agreementId,
    party_key: revision.party,
    revision: revision.revision,
    sha256: revision.sha256,
    pdf: revision.pdf,
    signature_fields: JSON.stringify(revision.signatureFields),
    created_at: revision.createdAt,
  });
}

/** When the text was frozen into the originals (revision 1), if it has been. */
export async function findFreezeTime(db: Queryable, agreementId: number): Promise<string | undefined> {
  const row = await db('originals').where({ agreement_id: agreementId, revision: 1 }).first('created_at');
  return row?.created_at;
}

/** The newest revision of a party's original: the frozen text, or the last signed one. */
export async function findLatestOriginal(db: Queryable, agreementId: number, party: string): Promise<OriginalRevision | undefined> {
  const row = await db('originals').where({ agreement_id: agreementId, party_key: party }).orderBy('revision', 'desc').first();
  return (
    row && {
      agreementId: row.agreement_id,
      party: row.party_key,
      revision: row.revision,
      sha256: row.sha256,
      pdf: Buffer.from(row.pdf),
      signatureFields: JSON.parse(row.signature_fields),
      createdAt: row.created_at,
    }
  );
}

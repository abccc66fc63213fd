import type { Queryable } from '../connection.ts';

/** A certificate and its private key, encrypted with the server's secret; the key never leaves the server. */
export interface CredentialRecord {
  readonly party: string;
  readonly userId: number | null;
  readonly purpose: 'ca' | 'signing';
  readonly certificatePem: string;
  readonly encryptedKey: string;
}

export async function insertCredential(db: Queryable, credential: CredentialRecord, now: string): Promise<void> {
  await db('credentials').insert({
    party_key: credential.party,
    user_id: credential.userId,
    purpose: credential.purpose,
    certificate_pem: credential.certificatePem,
    encrypted_key: credential.encryptedKey,
    created_at: now,
  });
}

const toRecord = (row: Record<string, never>): CredentialRecord => ({
  party: row.party_key,
  userId: row.user_id,
  purpose: row.purpose,
  certificatePem: row.certificate_pem,
  encryptedKey: row.encrypted_key,
});

export async function findPartyCa(db: Queryable, party: string): Promise<CredentialRecord | undefined> {
  const row = await db('credentials').where({ party_key: party, purpose: 'ca' }).whereNull('user_id').first();
  return row && toRecord(row);
}

export async function findSigningCredential(db: Queryable, userId: number): Promise<CredentialRecord | undefined> {
  const row = await db('credentials').where({ user_id: userId, purpose: 'signing' }).orderBy('id', 'desc').first();
  return row && toRecord(row);
}

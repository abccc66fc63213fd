import type { Queryable } from '../connection.ts';

/**
 * A certificate, and its private key encrypted with the server's secret when the server holds one; the
 * key never leaves the server. Purposes: a party's CA ('ca', the demo PKI's), a signatory's signing
 * certificate ('signing', the newest wins), and further CA certificates a party trusts ('anchor', no key).
 */
export interface CredentialRecord {
  readonly party: string;
  readonly userId: number | null;
  readonly purpose: CredentialPurpose;
  readonly certificatePem: string;
  /** Null: the server does not hold the key (a trust anchor, or a signatory who signs externally). */
  readonly encryptedKey: string | null;
  /** Issuing certificates between this one and a trust anchor, nearest first; empty when it is issued by an anchor itself. */
  readonly chainPems?: readonly string[];
  /** Who registered it; null for the demo PKI. */
  readonly createdBy?: number | null;
}

export type CredentialPurpose = 'ca' | 'signing' | 'anchor';

/** A stored credential with its row id and when it was stored. */
export interface StoredCredential extends CredentialRecord {
  readonly id: number;
  readonly chainPems: readonly string[];
  readonly createdBy: number | null;
  readonly createdAt: string;
}

/** Appends a credential; earlier ones of the same user and purpose stay (the newest is the one used). */
export async function insertCredential(db: Queryable, credential: CredentialRecord, now: string): Promise<void> {
  await db('credentials').insert({
    party_key: credential.party,
    user_id: credential.userId,
    purpose: credential.purpose,
    certificate_pem: credential.certificatePem,
    encrypted_key: credential.encryptedKey,
    chain_pem: credential.chainPems && credential.chainPems.length > 0 ? credential.chainPems.join('') : null,
    created_by: credential.createdBy ?? null,
    created_at: now,
  });
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\r?\n?/g;

const toRecord = (row: Record<string, never>): StoredCredential => ({
  id: row.id,
  party: row.party_key,
  userId: row.user_id,
  purpose: row.purpose,
  certificatePem: row.certificate_pem,
  encryptedKey: row.encrypted_key,
  chainPems: row.chain_pem ? ((row.chain_pem as string).match(PEM_BLOCK) ?? []) : [],
  createdBy: row.created_by,
  createdAt: row.created_at,
});

/** The party's own CA (the demo PKI's), if it has one. */
export async function findPartyCa(db: Queryable, party: string): Promise<StoredCredential | undefined> {
  const row = await db('credentials').where({ party_key: party, purpose: 'ca' }).whereNull('user_id').orderBy('id').first();
  return row && toRecord(row);
}

/** The user's newest signing credential: the certificate that signs for them now. */
export async function findSigningCredential(db: Queryable, userId: number): Promise<StoredCredential | undefined> {
  const row = await db('credentials').where({ user_id: userId, purpose: 'signing' }).orderBy('id', 'desc').first();
  return row && toRecord(row);
}

/** The CA certificates the party's signatories must chain to: its CA and the anchors registered for it, oldest first. */
export async function findPartyTrustAnchors(db: Queryable, party: string): Promise<StoredCredential[]> {
  const rows = await db('credentials').where({ party_key: party }).whereIn('purpose', ['ca', 'anchor']).whereNull('user_id').orderBy('id');
  return rows.map(toRecord);
}

/** Every party's trust anchors, by party then age: what a verifier of this deployment's signatures trusts. */
export async function listTrustAnchors(db: Queryable): Promise<StoredCredential[]> {
  const rows = await db('credentials').whereIn('purpose', ['ca', 'anchor']).whereNull('user_id').orderBy(['party_key', 'id']);
  return rows.map(toRecord);
}

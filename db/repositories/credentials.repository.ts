import { X509Certificate } from 'node:crypto';
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
  /** SHA-256 of the certificate's DER while this row is a party's claim on a CA; null for signing certificates and void duplicates. */
  readonly anchorSha256: string | null;
  /** Set once an anchor is retired: from then on it trusts no new signature. */
  readonly retired: { readonly at: string; readonly by: string | null; readonly reason: string } | null;
}

const ANCHOR_PURPOSES: readonly CredentialPurpose[] = ['ca', 'anchor'];
const isAnchor = (credential: Pick<CredentialRecord, 'purpose' | 'userId'>) =>
  ANCHOR_PURPOSES.includes(credential.purpose) && credential.userId === null;
const sha256OfCertificate = (pem: string) => new X509Certificate(pem).fingerprint256.replace(/:/g, '').toLowerCase();

/**
 * Appends a credential and returns its id; earlier ones of the same user and purpose stay (the newest is
 * the one used). A CA certificate (purpose 'ca' or 'anchor') is inserted as its party's claim on that
 * certificate: when any party claims it already, the unique index keeps the row out, nothing is written
 * and the result is undefined, also when the other claim committed a moment before.
 */
export async function insertCredential(db: Queryable, credential: CredentialRecord, now: string): Promise<number | undefined> {
  const anchorSha256 = isAnchor(credential) ? sha256OfCertificate(credential.certificatePem) : null;
  const rows: { id: number }[] = await db('credentials')
    .insert({
      party_key: credential.party,
      user_id: credential.userId,
      purpose: credential.purpose,
      certificate_pem: credential.certificatePem,
      encrypted_key: credential.encryptedKey,
      chain_pem: credential.chainPems && credential.chainPems.length > 0 ? credential.chainPems.join('') : null,
      created_by: credential.createdBy ?? null,
      created_at: now,
      anchor_sha256: anchorSha256,
    })
    .onConflict('anchor_sha256')
    .ignore()
    .returning('id');
  return rows[0]?.id;
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
  anchorSha256: row.anchor_sha256,
  retired: row.retired_at ? { at: row.retired_at, by: row.retired_by, reason: row.retired_reason ?? '' } : null,
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

const anchorRows = (db: Queryable) => db('credentials').whereIn('purpose', ANCHOR_PURPOSES).whereNull('user_id');

/**
 * The CA certificates the party's signatories chain to, oldest first: its CA and the anchors registered
 * for it that are the party's claim on their certificate, retired ones included (the caller weighs the
 * retirement against the signing time).
 */
export async function findPartyTrustAnchors(db: Queryable, party: string): Promise<StoredCredential[]> {
  return (await anchorRows(db).where({ party_key: party }).whereNotNull('anchor_sha256').orderBy('id')).map(toRecord);
}

/** The party's whole anchor history, oldest first: also the void duplicates nobody trusts. */
export async function findPartyTrustAnchorHistory(db: Queryable, party: string): Promise<StoredCredential[]> {
  return (await anchorRows(db).where({ party_key: party }).orderBy('id')).map(toRecord);
}

/** Every party's trust anchors (claims only), by party then age: what a verifier of this deployment's signatures trusts. */
export async function listTrustAnchors(db: Queryable): Promise<StoredCredential[]> {
  return (await anchorRows(db).whereNotNull('anchor_sha256').orderBy(['party_key', 'id'])).map(toRecord);
}

/** The claim on a CA certificate (by the SHA-256 of its DER, hex), whichever party holds it. */
export async function findTrustAnchorBySha256(db: Queryable, sha256: string): Promise<StoredCredential | undefined> {
  const row = await anchorRows(db).where({ anchor_sha256: sha256 }).first();
  return row && toRecord(row);
}

/** Marks one of the party's anchors retired; false when it is not the party's, or was retired already (nothing changes then). */
export async function retireTrustAnchor(
  db: Queryable,
  party: string,
  id: number,
  retirement: { at: string; by: string; reason: string },
): Promise<boolean> {
  const updated = await anchorRows(db)
    .where({ id, party_key: party })
    .whereNull('retired_at')
    .update({ retired_at: retirement.at, retired_by: retirement.by, retired_reason: retirement.reason });
  return updated === 1;
}

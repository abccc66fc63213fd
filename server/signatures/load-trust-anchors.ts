import type { Queryable } from '../../db/connection.ts';
import { findPartyTrustAnchors, listTrustAnchors, type StoredCredential } from '../../db/repositories/credentials.repository.ts';
import type { TrustAnchor } from '../signing/verify-pdf.ts';

/**
 * The CA certificates a party's signatories must chain to: its CA (the demo PKI's) and the anchors its
 * administrator registered, retired ones with the time they stopped trusting new signatures.
 */
export async function partyTrustAnchors(db: Queryable, party: string): Promise<TrustAnchor[]> {
  return (await findPartyTrustAnchors(db, party)).map(toTrustAnchor);
}

/** Every party's anchors: what verifying a signature made in this deployment trusts. */
export async function allTrustAnchors(db: Queryable): Promise<TrustAnchor[]> {
  return (await listTrustAnchors(db)).map(toTrustAnchor);
}

const toTrustAnchor = ({ party, certificatePem, retired }: StoredCredential): TrustAnchor => ({
  party,
  certificatePem,
  retiredAt: retired?.at ?? null,
});

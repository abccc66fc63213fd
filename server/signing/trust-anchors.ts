import type { Queryable } from '../../db/connection.ts';
import { findPartyTrustAnchors, listTrustAnchors } from '../../db/repositories/credentials.repository.ts';
import type { TrustAnchor } from './verify-pdf.ts';

/** The CA certificates a party's signatories must chain to: its CA (the demo PKI's) and the anchors its administrator registered. */
export async function partyTrustAnchors(db: Queryable, party: string): Promise<TrustAnchor[]> {
  return (await findPartyTrustAnchors(db, party)).map(({ party: owner, certificatePem }) => ({ party: owner, certificatePem }));
}

/** Every party's anchors: what verifying a signature made in this deployment trusts. */
export async function allTrustAnchors(db: Queryable): Promise<TrustAnchor[]> {
  return (await listTrustAnchors(db)).map(({ party, certificatePem }) => ({ party, certificatePem }));
}

import { findPartyTrustAnchorHistory, type StoredCredential } from '../../db/repositories/credentials.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { authorizeOnParty } from '../auth/policy.ts';
import { certificateView, type CertificateView } from '../signing/certificate-view.ts';

/**
 * A party's trust anchors: the CA certificates its signatories' certificates must chain to. Its own CA
 * (the demo PKI's) is one; its administrator registers the government's real CAs
 * (register-trust-anchor.ts) and retires them (retire-trust-anchor.ts). An anchor is a certificate
 * only: the server never holds a CA's key for it.
 */

export interface TrustAnchorView {
  readonly id: number;
  readonly party: string;
  /** 'ca': the party's own CA (demo PKI); 'anchor': registered by its administrator. */
  readonly kind: 'ca' | 'anchor';
  readonly certificate: CertificateView;
  readonly registeredAt: string;
  /** Null while in service; once retired it trusts no signature made from `at` on, and still those made before. */
  readonly retired: { readonly at: string; readonly by: string | null; readonly reason: string } | null;
}

/** The party's anchors, in service and retired, oldest first. */
export async function listPartyTrustAnchors(deps: UseCaseDeps, actor: User, party: string): Promise<TrustAnchorView[]> {
  authorizeOnParty(actor, party, 'trust-anchors.read');
  return (await findPartyTrustAnchorHistory(deps.db, party)).map(trustAnchorView);
}

/** A stored anchor as the API shows it. */
export function trustAnchorView(anchor: StoredCredential): TrustAnchorView {
  return {
    id: anchor.id,
    party: anchor.party,
    kind: anchor.purpose === 'ca' ? 'ca' : 'anchor',
    certificate: certificateView(anchor.certificatePem),
    registeredAt: anchor.createdAt,
    retired: anchor.retired,
  };
}

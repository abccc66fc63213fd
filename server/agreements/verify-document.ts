import type { Queryable } from '../../db/connection.ts';
import { findOriginalsBySha256 } from '../../db/repositories/original-lookup.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import { stateHasTag } from '../../workflows/agreement/agreement.workflow.ts';
import { allTrustAnchors } from '../signatures/load-trust-anchors.ts';
import { verifyPdfIsolated } from '../signing/isolated-verification.ts';
import type { PdfVerification } from '../signing/verify-pdf.ts';
import type { UseCaseDeps } from './deps.ts';
import { findAgreementRecord } from './load-agreement.ts';

/** An original Bilateral stored whose bytes are exactly the ones verified. */
export interface KnownOriginal {
  readonly agreementId: number;
  readonly title: string;
  readonly state: string;
  /** Whose original it is (each party has its own). */
  readonly original: string;
  readonly revision: number;
  /** The signed file itself: the newest revision of the original of an agreement both parties signed. */
  readonly final: boolean;
}

export interface DocumentVerification extends PdfVerification {
  /** Null when no stored original has these bytes, or none the caller's party is a party to. */
  readonly knownOriginal: KnownOriginal | null;
}

/**
 * Verifies an uploaded PDF against the parties' CAs and says whether it is one of the stored originals.
 * Reads only; an original is named only to users of a party to its agreement, so the answer does not
 * disclose other parties' agreements.
 */
export async function verifyDocument(deps: UseCaseDeps, user: User, pdf: Buffer): Promise<DocumentVerification> {
  const { sha256, signatures, appendedAfterLastSignature, valid } = await verifyPdfIsolated(
    pdf,
    await allTrustAnchors(deps.db),
    deps.now(),
  );
  return { sha256, knownOriginal: await findKnownOriginal(deps.db, user, sha256), signatures, appendedAfterLastSignature, valid };
}

async function findKnownOriginal(db: Queryable, user: User, sha256: string): Promise<KnownOriginal | null> {
  for (const match of await findOriginalsBySha256(db, sha256)) {
    const agreement = await findAgreementRecord(db, match.agreementId);
    if (!agreement?.parties.includes(user.party)) continue;
    return {
      agreementId: agreement.id,
      title: agreement.title,
      state: agreement.state,
      original: match.party,
      revision: match.revision,
      final: stateHasTag(agreement.workflow, 'originals-signed') && match.revision === match.latestRevision,
    };
  }
  return null;
}

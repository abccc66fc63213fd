import express, { Router } from 'express';
import type { Queryable } from '../../db/connection.ts';
import { findAgreement } from '../../db/repositories/agreements.repository.ts';
import { findOriginalsBySha256 } from '../../db/repositories/original-lookup.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import { SIGNED_STATES } from '../../workflows/agreement/agreement.events.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { DomainError, MalformedRequestError } from '../errors.ts';
import { allTrustAnchors } from '../signing/trust-anchors.ts';
import { verifyPdfIsolated } from '../signing/isolated-verification.ts';
import type { PdfVerification } from '../signing/verify-pdf.ts';
import { currentUser, requireUser } from './authentication.ts';

/** Large enough for any agreement with its signatures; a larger body answers 413. */
const MAX_PDF_BYTES = '30mb';

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

/** POST /api/verify: a PDF in (Content-Type: application/pdf), the verdict on its signatures out. */
export function verifyRoutes(deps: UseCaseDeps): Router {
  const router = Router();
  router.use(requireUser(deps));
  router.post('/', express.raw({ type: 'application/pdf', limit: MAX_PDF_BYTES }), async (request, response) => {
    // false: a body of another type; null: no body at all.
    if (request.is('application/pdf') === false) {
      throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Send the PDF itself as the body, with Content-Type: application/pdf');
    }
    if (!Buffer.isBuffer(request.body) || request.body.length === 0) throw new MalformedRequestError('The body is empty; send the PDF to verify');
    response.set('Cache-Control', 'no-store').json(await verifyDocument(deps, currentUser(response), request.body));
  });
  return router;
}

/**
 * Verifies an uploaded PDF against the parties' CAs and says whether it is one of the stored originals.
 * Reads only; an original is named only to users of a party to its agreement, so the answer does not
 * disclose other parties' agreements.
 */
export async function verifyDocument(deps: UseCaseDeps, user: User, pdf: Buffer): Promise<DocumentVerification> {
  const { sha256, signatures, appendedAfterLastSignature, valid } = await verifyPdfIsolated(pdf, await allTrustAnchors(deps.db), deps.now());
  return { sha256, knownOriginal: await findKnownOriginal(deps.db, user, sha256), signatures, appendedAfterLastSignature, valid };
}


async function findKnownOriginal(db: Queryable, user: User, sha256: string): Promise<KnownOriginal | null> {
  for (const match of await findOriginalsBySha256(db, sha256)) {
    const agreement = await findAgreement(db, match.agreementId);
    if (!agreement || !agreement.parties.includes(user.party)) continue;
    return {
      agreementId: agreement.id,
      title: agreement.title,
      state: agreement.state,
      original: match.party,
      revision: match.revision,
      final: SIGNED_STATES.includes(agreement.state) && match.revision === match.latestRevision,
    };
  }
  return null;
}

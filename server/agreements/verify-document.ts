import { createHash } from 'node:crypto';
import type { Queryable } from '../../db/connection.ts';
import { findOriginalsBySha256 } from '../../db/repositories/original-lookup.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import { stateHasTag } from '../../workflows/agreement/agreement.workflow.ts';
import { allTrustAnchors } from '../signatures/load-trust-anchors.ts';
import { crlsPublishedHere } from '../signatures/revocation-publication.ts';
import { verifyPdfIsolated } from '../signing/isolated-verification.ts';
import { finding, messagesOf } from '../signing/verification-findings.ts';
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
 * Verifies an uploaded PDF against the parties' CAs, and its signers' revocation against the CRLs this
 * server publishes, and says whether it is one of the stored originals.
 * Reads only; an original is named only to users of a party to its agreement, so the answer does not
 * disclose other parties' agreements.
 */
export async function verifyDocument(deps: UseCaseDeps, user: User, pdf: Buffer): Promise<DocumentVerification> {
  const verification = await verifyPdfIsolated(pdf, await allTrustAnchors(deps.db), deps.now(), await crlsPublishedHere(deps));
  const { sha256, signatures, documentTimestamps, level, provableUntil, appendedAfterLastSignature } = verification;
  const revisions = await compareWithStoredRevisions(deps.db, user, pdf, verification.revisions);
  const valid = verification.valid && revisions.every((revision) => revision.problems.length === 0);
  return {
    sha256,
    knownOriginal: await findKnownOriginal(deps.db, user, sha256),
    signatures,
    documentTimestamps,
    level,
    provableUntil,
    appendedAfterLastSignature,
    revisions,
    valid,
  };
}

/**
 * A file that starts with a stored original (its first revision byte for byte) must go on with the very
 * revisions Bilateral stored for it: a revision k that differs from the stored revision k is named,
 * whatever the analysis of its changes found. Revisions beyond the stored ones are judged by the analysis alone.
 */
async function compareWithStoredRevisions(
  db: Queryable,
  user: User,
  pdf: Buffer,
  revisions: PdfVerification['revisions'],
): Promise<PdfVerification['revisions']> {
  const hashesOf = (end: number) => {
    const ends = [end];
    // A revision may be stored without the end-of-line its successor starts with.
    while (ends.at(-1)! > 0 && [0x0a, 0x0d].includes(pdf[ends.at(-1)! - 1]!)) ends.push(ends.at(-1)! - 1);
    return ends.map((at) => createHash('sha256').update(pdf.subarray(0, at)).digest('hex'));
  };
  const first = revisions[0];
  if (!first) return revisions;
  let original: { agreementId: number; party: string; latestRevision: number } | undefined;
  for (const hash of hashesOf(first.end)) {
    for (const match of await findOriginalsBySha256(db, hash)) {
      if (match.revision !== 1 || original) continue;
      if ((await findAgreementRecord(db, match.agreementId))?.parties.includes(user.party)) original = match;
    }
  }
  if (!original) return revisions;
  const stored = original;
  const compared: PdfVerification['revisions'][number][] = [];
  for (const revision of revisions) {
    if (revision.number === 1 || revision.number > stored.latestRevision) {
      compared.push(revision);
      continue;
    }
    let same = false;
    for (const hash of hashesOf(revision.end)) {
      same ||= (await findOriginalsBySha256(db, hash)).some(
        (match) => match.agreementId === stored.agreementId && match.party === stored.party && match.revision === revision.number,
      );
    }
    if (same) {
      compared.push(revision);
      continue;
    }
    const problemFindings = [
      ...revision.problemFindings,
      finding(
        'notStoredRevision',
        `it is not revision ${revision.number} of ${stored.party}'s original of agreement ${stored.agreementId} as Bilateral stored it`,
        { revision: String(revision.number), party: stored.party },
      ),
    ];
    compared.push({ ...revision, problems: messagesOf(problemFindings), problemFindings });
  }
  return compared;
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

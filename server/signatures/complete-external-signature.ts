import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { completeSigningRequest, findSigningRequests, type SigningRequest } from '../../db/repositories/signing-requests.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { loadVisibleAgreement } from '../agreements/load-agreement.ts';
import { applyEvent, decideEvent } from '../agreements/send-agreement-event.ts';
import { ConflictError, RuleViolationError } from '../errors.ts';
import { certificateSha256 } from '../signing/certificate-checks.ts';
import { checkSubmittedCms } from '../signing/cms-checks.ts';
import { assembleSignedData, padesSignedAttributes } from '../signing/cms-signer.ts';
import { certificateSubject } from '../signing/pki.ts';
import { embedSignature, reopenPreparedSignature, type PreparedSignature } from '../signing/sign-pdf.ts';
import { addSignatureTimestampIfAvailable } from '../signing/timestamp.ts';
import { timestampAuthorityOf } from './timestamping.ts';
import { verifyPdf } from '../signing/verify-pdf.ts';
import { loadCheckedSigningCredential } from './load-signing-credential.ts';
import { allTrustAnchors } from './load-trust-anchors.ts';
import { latestOriginal, nextRevision, originalOf } from './signature-revision.ts';

/**
 * External signing, second half: the CMS SignedData made elsewhere for a signing request
 * (request-external-signature.ts) comes back, is checked (it signs exactly the prepared bytes, with the
 * signatory's registered certificate, which chains to the party's anchors and was valid at the signing
 * time) and is embedded. When both originals carry it, the SIGN event commits exactly as a server-side
 * signature does (the same applyEvent and commit-signature.ts): state, both revisions, the signature
 * row and the audit entry in one transaction.
 *
 * The signature itself proves possession of the registered key, so no password is asked here.
 */

export const externalSignatureInput = z
  .object({
    original: z.string().min(1).max(64),
    /** The detached CMS SignedData (DER, base64) over toSign. */
    cms: z
      .base64()
      .max(32 * 1024)
      .optional(),
    /** Or: the raw signature value (base64) over signedAttributes. */
    signatureValue: z.base64().max(2048).optional(),
  })
  .strict()
  .refine((input) => (input.cms === undefined) !== (input.signatureValue === undefined), { message: 'send either cms or signatureValue' });
export type ExternalSignatureInput = z.infer<typeof externalSignatureInput>;

/** What came of a submitted signature: still waiting for the other original, or the SIGN committed. */
export interface ExternalSignatureOutcome {
  readonly original: string;
  /** True once both originals carry the signature and the SIGN event has committed. */
  readonly complete: boolean;
  /** The originals still to be signed. */
  readonly waitingFor: string[];
  readonly state: string;
  readonly version: number;
}

/**
 * Checks the signature made elsewhere for one original and embeds it; when the user's signature is now
 * in every original, commits the SIGN. A refused signature changes nothing.
 */
export async function completeExternalSignature(
  deps: UseCaseDeps,
  user: User,
  agreementId: number,
  input: ExternalSignatureInput,
): Promise<ExternalSignatureOutcome> {
  const record = await loadVisibleAgreement(deps.db, agreementId, user);
  const party = originalOf(record.parties, input.original);
  const at = deps.now();
  const decided = await decideEvent(deps, user, record, { type: 'SIGN' }, at);
  const request = (await findSigningRequests(deps.db, record.id, user.id)).find((candidate) => candidate.original === party);
  if (!request) {
    throw new RuleViolationError(
      `You have no signing request for the ${party} original; GET /api/agreements/${record.id}/signing-request?original=${party} first`,
    );
  }
  assertStillCurrent(request, record.version, at);
  const signingTime = new Date(request.signingTime);
  const { credential, checked } = await loadCheckedSigningCredential(deps.db, user, signingTime);
  if (certificateSha256(credential.certificatePem) !== request.certificateSha256) {
    throw new ConflictError('Your signing certificate changed since the signing request; ask for a new one');
  }
  const prepared = reopenPreparedSignature(request.preparedPdf);
  let cms =
    input.cms !== undefined
      ? checkSubmittedCms(Buffer.from(input.cms, 'base64'), credential.certificatePem, { requestedAt: request.createdAt, now: at })
      : assembleSignedData(
          credential.certificatePem,
          checked.issuerPems,
          await padesSignedAttributes(Buffer.from(request.digest, 'hex'), new X509Certificate(credential.certificatePem).raw),
          Buffer.from(input.signatureValue!, 'base64'),
        );
  await assertVerifies(deps, prepared, embed(prepared, cms), user.party, signingTime);
  let detail = `signed externally with the certificate SHA-256 ${request.certificateSha256}`;
  const timestampAuthority = timestampAuthorityOf(deps);
  if (timestampAuthority) {
    const untimestamped = cms;
    cms = await addSignatureTimestampIfAvailable(cms, timestampAuthority);
    detail += cms === untimestamped ? ', not timestamped (the authority did not answer)' : ', timestamped';
  }
  if (!(await completeSigningRequest(deps.db, request, embed(prepared, cms)))) {
    throw new ConflictError(`A newer signing request for the ${party} original replaced this one; sign that one`);
  }

  const requests = await findSigningRequests(deps.db, record.id, user.id);
  const done = (original: string) =>
    requests.some(
      (candidate) => candidate.original === original && candidate.signedPdf !== null && candidate.agreementVersion === record.version,
    );
  const waitingFor = record.parties.filter((original) => !done(original));
  if (waitingFor.length > 0) return { original: party, complete: false, waitingFor, state: record.state, version: record.version };

  const revisions = [];
  for (const original of record.parties) {
    const signed = requests.find((candidate) => candidate.original === original)!;
    const latest = await latestOriginal(deps.db, record.id, original);
    if (latest.revision !== signed.baseRevision)
      throw new ConflictError(`The ${original} original changed since the signing request; ask for a new one`);
    revisions.push(nextRevision(latest, signed.signedPdf!, at));
  }
  // The signatures were made on the device: they are what the SIGN's signOriginals effect commits (commit-signature.ts).
  const signed = { revisions, certificateSubject: certificateSubject(credential.certificatePem) };
  const outcome = await applyEvent(deps, decided, { prepared: { signOriginals: signed }, detail });
  return { original: party, complete: true, waitingFor: [], state: outcome.state, version: outcome.version };
}

function assertStillCurrent(request: SigningRequest, version: number, at: Date): void {
  if (request.agreementVersion !== version) {
    throw new ConflictError(
      `The agreement changed since the signing request (version ${request.agreementVersion}, now ${version}); ask for a new one`,
      { currentVersion: version },
    );
  }
  if (at.getTime() > new Date(request.expiresAt).getTime()) {
    throw new RuleViolationError(
      `The signing request for the ${request.original} original expired at ${request.expiresAt}; ask for a new one`,
    );
  }
}

function embed(prepared: PreparedSignature, cms: Buffer): Buffer {
  const room = (prepared.byteRange[2] - prepared.byteRange[1] - 2) / 2;
  if (cms.length > room)
    throw new RuleViolationError(
      `The signature takes ${cms.length} bytes; at most ${room} fit (leave out certificates the chain does not need)`,
    );
  return embedSignature(prepared, cms);
}

/** The embedded signature must verify as any reader would verify it: intact, with the party's chain valid at the signing time, no problems. */
async function assertVerifies(
  deps: UseCaseDeps,
  prepared: PreparedSignature,
  candidate: Buffer,
  party: string,
  signingTime: Date,
): Promise<void> {
  const report = await verifyPdf(candidate, await allTrustAnchors(deps.db), signingTime);
  const signature = report.signatures.find((entry) => entry.byteRange.join(' ') === prepared.byteRange.join(' '));
  const problems = signature ? [...signature.problems] : ['the signature could not be found again in the revision'];
  if (signature && signature.party !== party && signature.trusted)
    problems.push(`it chains to ${signature.party}'s anchors, not ${party}'s`);
  if (signature && !signature.intact && problems.length === 0) problems.push('it does not verify over the prepared bytes');
  if (problems.length > 0) throw new RuleViolationError(`The signature was refused: ${problems.join('; ')}`, { problems });
}

import { X509Certificate, createHash } from 'node:crypto';
import { z } from 'zod';
import {
  completeSigningRequest,
  findSigningRequests,
  replaceSigningRequest,
  type SigningRequest,
} from '../../db/repositories/signing-requests.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import { ConflictError, MalformedRequestError, RuleViolationError } from '../errors.ts';
import { certificateSha256 } from '../signing/certificate-checks.ts';
import { certificateView, type CertificateView } from '../signing/certificate-view.ts';
import { checkSubmittedCms } from '../signing/cms-checks.ts';
import { assembleSignedData, encodeSignedAttributes, padesSignedAttributes } from '../signing/cms-signer.ts';
import { certificateSubject } from '../signing/pki.ts';
import { embedSignature, prepareSignature, reopenPreparedSignature, type PreparedSignature } from '../signing/sign-pdf.ts';
import { addSignatureTimestamp } from '../signing/timestamp.ts';
import { allTrustAnchors } from '../signing/trust-anchors.ts';
import { verifyPdf } from '../signing/verify-pdf.ts';
import type { UseCaseDeps } from './deps.ts';
import { loadVisibleAgreement } from './load-agreement.ts';
import { applyEvent, decideEvent } from './send-agreement-event.ts';
import { checkedSigningCredential, latestOriginal, nextRevision, signatureRevisionOptions, wholeSeconds } from './sign-originals.ts';

/**
 * External signing: the signatory's key stays on the government's own device. For each original the
 * server prepares the next incremental revision (the visible field and the signature dictionary, with
 * /ByteRange fixed and /Contents empty) and says what to sign; the CMS SignedData made elsewhere comes
 * back, is checked (it signs exactly those bytes, with the signatory's registered certificate, which
 * chains to the party's anchors and was valid at the signing time) and is embedded. When both originals
 * carry it, the SIGN event commits exactly as a server-side signature does (the same applyEvent): state,
 * both revisions, the signature row and the audit entry in one transaction.
 *
 * The signature itself proves possession of the registered key, so no password is asked here.
 */

/** Long enough for a person to confirm on a card reader; short enough that /M stays near the truth. */
const SIGNING_REQUEST_LIFETIME_MS = 30 * 60 * 1000;
/** What the signatory's device needs to sign one original. */
export interface SigningRequestView {
  readonly agreementId: number;
  readonly original: string;
  /** The version the request was prepared at; a change to the agreement makes it stale. */
  readonly agreementVersion: number;
  /** The claimed signing time, written to /M. */
  readonly signingTime: string;
  readonly expiresAt: string;
  /** The registered certificate that must sign. */
  readonly certificate: CertificateView;
  readonly byteRange: readonly number[];
  /** The digest of the covered bytes: the CMS message-digest attribute must hold it. */
  readonly digest: { readonly algorithm: 'SHA-256'; readonly value: string };
  /** The covered bytes themselves, base64: `openssl cms -sign -binary -in` them. */
  readonly toSign: string;
  /** Or: the signed attributes the server would use (DER SET, base64), for a raw signature over them (RSA PKCS#1 v1.5 or ECDSA, SHA-256). */
  readonly signedAttributes: string;
  readonly signedAttributesDigest: string;
  /** Where the signature goes. */
  readonly submitTo: string;
}

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

/** Prepares the user's signature revision of one original; replaces any earlier request of theirs for it. */
export async function createSigningRequest(
  deps: UseCaseDeps,
  user: User,
  agreementId: number,
  original: unknown,
): Promise<SigningRequestView> {
  const record = await loadVisibleAgreement(deps.db, agreementId, user);
  const party = originalOf(record.parties, original);
  const at = deps.now();
  // The same decision SIGN gets, so a request is only ever made when the signature could be committed.
  await decideEvent(deps, user, record, { type: 'SIGN' }, at);
  const signingTime = wholeSeconds(at);
  const { credential } = await checkedSigningCredential(deps.db, user, signingTime);
  const latest = await latestOriginal(deps.db, record.id, party);
  const prepared = await prepareSignature(
    latest.pdf,
    await signatureRevisionOptions(deps.db, user, credential.certificatePem, signingTime, latest),
  );
  const digest = createHash('sha256').update(prepared.signedBytes).digest();
  const request = {
    agreementId: record.id,
    original: party,
    userId: user.id,
    agreementVersion: record.version,
    baseRevision: latest.revision,
    signingTime: signingTime.toISOString(),
    certificateSha256: certificateSha256(credential.certificatePem),
    preparedPdf: prepared.pdf,
    digest: digest.toString('hex'),
    createdAt: at.toISOString(),
    expiresAt: new Date(at.getTime() + SIGNING_REQUEST_LIFETIME_MS).toISOString(),
  };
  await deps.db.transaction((trx) => replaceSigningRequest(trx, request));
  const signedAttributes = encodeSignedAttributes(await padesSignedAttributes(digest, new X509Certificate(credential.certificatePem).raw));
  return {
    agreementId: record.id,
    original: party,
    agreementVersion: record.version,
    signingTime: request.signingTime,
    expiresAt: request.expiresAt,
    certificate: certificateView(credential.certificatePem),
    byteRange: prepared.byteRange,
    digest: { algorithm: 'SHA-256', value: request.digest },
    toSign: prepared.signedBytes.toString('base64'),
    signedAttributes: signedAttributes.toString('base64'),
    signedAttributesDigest: createHash('sha256').update(signedAttributes).digest('hex'),
    submitTo: `/api/agreements/${record.id}/signature`,
  };
}

/**
 * Checks the signature made elsewhere for one original and embeds it; when the user's signature is now
 * in every original, commits the SIGN. A refused signature changes nothing.
 */
export async function submitExternalSignature(
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
  const { credential, checked } = await checkedSigningCredential(deps.db, user, signingTime);
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
  if (deps.config.tsaUrl) {
    cms = await addSignatureTimestamp(cms, deps.config.tsaUrl);
    detail += ', timestamped';
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
  // The signatures were made on the device: they are what the SIGN's signOriginals effect stores.
  const signed = { revisions, certificateSubject: certificateSubject(credential.certificatePem) };
  const outcome = await applyEvent(deps, decided, { prepared: { signOriginals: signed }, detail });
  return { original: party, complete: true, waitingFor: [], state: outcome.state, version: outcome.version };
}

function originalOf(parties: readonly string[], original: unknown): string {
  if (typeof original !== 'string' || !parties.includes(original)) {
    throw new MalformedRequestError(`original must be one of the parties: ${parties.join(', ')}`);
  }
  return original;
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

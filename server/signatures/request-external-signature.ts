import { X509Certificate, createHash } from 'node:crypto';
import { replaceSigningRequest } from '../../db/repositories/signing-requests.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { loadVisibleAgreement } from '../agreements/load-agreement.ts';
import { decideEvent } from '../agreements/send-agreement-event.ts';
import { certificateSha256 } from '../signing/certificate-checks.ts';
import { certificateView, type CertificateView } from '../signing/certificate-view.ts';
import { encodeSignedAttributes, padesSignedAttributes } from '../signing/cms-signer.ts';
import { prepareSignature } from '../signing/sign-pdf.ts';
import { loadCheckedSigningCredential } from './load-signing-credential.ts';
import { latestOriginal, originalOf, signatureRevisionOptions, wholeSeconds } from './signature-revision.ts';

/**
 * External signing, first half: the signatory's key stays on the government's own device. For one
 * original the server prepares the next incremental revision (the visible field and the signature
 * dictionary, with /ByteRange fixed and /Contents empty), keeps it as the user's signing request and
 * says what to sign. complete-external-signature.ts takes the signature back.
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

/** Prepares the user's signature revision of one original; replaces any earlier request of theirs for it. */
export async function requestExternalSignature(
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
  const { credential } = await loadCheckedSigningCredential(deps.db, user, signingTime);
  const latest = await latestOriginal(deps.db, record.id, party);
  const prepared = await prepareSignature(latest.pdf, await signatureRevisionOptions(deps.db, user, signingTime, latest));
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

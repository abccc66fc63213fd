import type { Queryable } from '../../db/connection.ts';
import type { AgreementRecord } from '../../db/repositories/agreements.repository.ts';
import { findSigningCredential, type StoredCredential } from '../../db/repositories/credentials.repository.ts';
import { findLatestOriginal, type OriginalRevision } from '../../db/repositories/originals.repository.ts';
import { findParty } from '../../db/repositories/parties.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import { RuleViolationError } from '../errors.ts';
import { checkSignerCertificate, type CheckedCertificate } from '../signing/certificate-checks.ts';
import { PadesCmsSigner } from '../signing/cms-signer.ts';
import { credentialOwner } from '../signing/credentials.ts';
import { openPrivateKey } from '../signing/key-vault.ts';
import { certificateSubject, importPrivateKey } from '../signing/pki.ts';
import { addSignature, type SignatureRevisionOptions } from '../signing/sign-pdf.ts';
import { partyTrustAnchors } from '../signing/trust-anchors.ts';
import { sha256 } from './freeze-originals.ts';
import type { UseCaseDeps } from './deps.ts';

export interface SignedOriginals {
  readonly revisions: readonly OriginalRevision[];
  readonly certificateSubject: string;
}

/**
 * The signatory's signature on both originals with the key the server holds for them, each as a new
 * incremental revision of the stored bytes, so every earlier signature stays valid. The certificate is
 * checked against the party's trust anchors at the signing time first; with a time-stamping authority
 * configured each signature is timestamped. Nothing is written here: the caller stores the revisions in
 * the same transaction as the SIGN event.
 */
export async function signOriginals(deps: UseCaseDeps, record: AgreementRecord, user: User, at: Date): Promise<SignedOriginals> {
  const signingTime = wholeSeconds(at);
  const { credential, checked } = await checkedSigningCredential(deps.db, user, signingTime);
  if (credential.encryptedKey === null) {
    throw new RuleViolationError(
      `${user.email}'s certificate is registered without its private key: sign externally (GET /api/agreements/${record.id}/signing-request?original=<party>, then POST /api/agreements/${record.id}/signature)`,
    );
  }
  const signer = new PadesCmsSigner({
    certificatePem: credential.certificatePem,
    chainPems: checked.issuerPems,
    privateKey: await importPrivateKey(openPrivateKey(deps.config.secret, credentialOwner(credential), credential.encryptedKey)),
    timestampAuthorityUrl: deps.config.tsaUrl,
  });
  const revisions = [];
  for (const original of record.parties) {
    const latest = await latestOriginal(deps.db, record.id, original);
    const options = await signatureRevisionOptions(deps.db, user, credential.certificatePem, signingTime, latest);
    const pdf = await addSignature(latest.pdf, { ...options, signer });
    revisions.push(nextRevision(latest, pdf, at));
  }
  return { revisions, certificateSubject: certificateSubject(credential.certificatePem) };
}

/** The user's current signing certificate, checked for signing at `signingTime` under their party's anchors; 422 otherwise. */
export async function checkedSigningCredential(
  db: Queryable,
  user: User,
  signingTime: Date,
): Promise<{ credential: StoredCredential; checked: CheckedCertificate }> {
  const credential = await findSigningCredential(db, user.id);
  if (!credential) {
    throw new RuleViolationError(
      `${user.email} has no signing certificate registered for ${user.party}; upload one (POST /api/signatories/${user.email}/credentials)`,
    );
  }
  const checked = await checkSignerCertificate({
    certificatePem: credential.certificatePem,
    intermediatePems: credential.chainPems,
    anchors: await partyTrustAnchors(db, user.party),
    at: signingTime,
    party: user.party,
  });
  return { credential, checked };
}

/** Whole seconds: the time in /M has no fractions, and the same time goes in every revision. */
export function wholeSeconds(at: Date): Date {
  return new Date(Math.floor(at.getTime() / 1000) * 1000);
}

export async function latestOriginal(db: Queryable, agreementId: number, party: string): Promise<OriginalRevision> {
  const latest = await findLatestOriginal(db, agreementId, party);
  if (!latest) throw new Error(`agreement ${agreementId} is in signing but has no original for ${party}`);
  return latest;
}

/** The revision after `latest` holding `pdf`. */
export function nextRevision(latest: OriginalRevision, pdf: Buffer, at: Date): OriginalRevision {
  return {
    agreementId: latest.agreementId,
    party: latest.party,
    revision: latest.revision + 1,
    sha256: sha256(pdf),
    pdf,
    signatureFields: latest.signatureFields,
    createdAt: at.toISOString(),
  };
}

/** The signature dictionary and the visible field for the user's signature in this original, whoever makes the CMS. */
export async function signatureRevisionOptions(
  db: Queryable,
  user: User,
  certificatePem: string,
  signingTime: Date,
  latest: OriginalRevision,
): Promise<SignatureRevisionOptions> {
  const field = latest.signatureFields.find((candidate) => candidate.party === user.party);
  if (!field) throw new Error(`original ${latest.party} of agreement ${latest.agreementId} has no signature field for ${user.party}`);
  const party = await findParty(db, user.party);
  return {
    signingTime,
    name: user.profile.name.en,
    reason: `Signed for ${party?.names.en.name ?? user.party}`,
    location: party?.names.en.capital ?? '',
    contactInfo: user.email,
    field: {
      page: field.page,
      rect: { x: field.x, y: field.y, width: field.width, height: field.height },
      lines: appearanceLines(user, certificateSubject(certificatePem), signingTime, party?.language ?? 'en'),
    },
  };
}

/** The visible signature: who signed, in their own language and in English, when, with which certificate. */
function appearanceLines(user: User, subject: string, signingTime: Date, language: 'ru' | 'ko' | 'en'): string[] {
  const names = language === 'en' ? [user.profile.name.en] : [user.profile.name[language], user.profile.name.en];
  return [...names, user.profile.title[language], `${signingTime.toISOString().replace('T', ' ').slice(0, 19)} UTC`, subject];
}

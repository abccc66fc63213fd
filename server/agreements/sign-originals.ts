import type { Queryable } from '../../db/connection.ts';
import type { AgreementRecord } from '../../db/repositories/agreements.repository.ts';
import { findPartyCa, findSigningCredential, type CredentialRecord } from '../../db/repositories/credentials.repository.ts';
import { findLatestOriginal, type OriginalRevision } from '../../db/repositories/originals.repository.ts';
import { findParty } from '../../db/repositories/parties.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import { RuleViolationError } from '../errors.ts';
import { PadesCmsSigner } from '../signing/cms-signer.ts';
import { credentialOwner } from '../signing/credentials.ts';
import { openPrivateKey } from '../signing/key-vault.ts';
import { certificateSubject, importPrivateKey } from '../signing/pki.ts';
import { addSignature } from '../signing/sign-pdf.ts';
import { sha256 } from './freeze-originals.ts';
import type { UseCaseDeps } from './deps.ts';

export interface SignedOriginals {
  readonly revisions: readonly OriginalRevision[];
  readonly certificateSubject: string;
}

/**
 * The signatory's signature on both originals, each as a new incremental revision of the stored
 * bytes, so every earlier signature stays valid. Nothing is written here: the caller stores the
 * revisions in the same transaction as the SIGN event.
 */
export async function signOriginals(deps: UseCaseDeps, record: AgreementRecord, user: User, at: Date): Promise<SignedOriginals> {
  const credential = await findSigningCredential(deps.db, user.id);
  const ca = await findPartyCa(deps.db, user.party);
  if (!credential || !ca) {
    throw new RuleViolationError(`${user.email} has no signing certificate registered for ${user.party}; an administrator must issue one`);
  }
  const signer = new PadesCmsSigner({
    certificatePem: credential.certificatePem,
    chainPems: [ca.certificatePem],
    privateKey: await unsealKey(deps, credential),
  });
  const subject = certificateSubject(credential.certificatePem);
  const party = await findParty(deps.db, user.party);
  // Whole seconds: the time in /M has no fractions, and the same time goes in every revision.
  const signingTime = new Date(Math.floor(at.getTime() / 1000) * 1000);
  const revisions = [];
  for (const original of record.parties) {
    const latest = await latestOriginal(deps.db, record.id, original);
    const field = latest.signatureFields.find((candidate) => candidate.party === user.party);
    if (!field) throw new Error(`original ${original} of agreement ${record.id} has no signature field for ${user.party}`);
    const pdf = await addSignature(latest.pdf, {
      signer,
      signingTime,
      name: user.profile.name.en,
      reason: `Signed for ${party?.names.en.name ?? user.party}`,
      location: party?.names.en.capital ?? '',
      contactInfo: user.email,
      field: {
        page: field.page,
        rect: { x: field.x, y: field.y, width: field.width, height: field.height },
        lines: appearanceLines(user, subject, signingTime, party?.language ?? 'en'),
      },
    });
    revisions.push({
      agreementId: record.id,
      party: original,
      revision: latest.revision + 1,
      sha256: sha256(pdf),
      pdf,
      signatureFields: latest.signatureFields,
      createdAt: at.toISOString(),
    });
  }
  return { revisions, certificateSubject: subject };
}

async function latestOriginal(db: Queryable, agreementId: number, party: string): Promise<OriginalRevision> {
  const latest = await findLatestOriginal(db, agreementId, party);
  if (!latest) throw new Error(`agreement ${agreementId} is in signing but has no original for ${party}`);
  return latest;
}

async function unsealKey(deps: UseCaseDeps, credential: CredentialRecord) {
  return importPrivateKey(openPrivateKey(deps.config.secret, credentialOwner(credential), credential.encryptedKey));
}

/** The visible signature: who signed, in their own language and in English, when, with which certificate. */
function appearanceLines(user: User, subject: string, signingTime: Date, language: 'ru' | 'ko' | 'en'): string[] {
  const names = language === 'en' ? [user.profile.name.en] : [user.profile.name[language], user.profile.name.en];
  return [
    ...names,
    user.profile.title[language],
    `${signingTime.toISOString().replace('T', ' ').slice(0, 19)} UTC`,
    subject,
  ];
}

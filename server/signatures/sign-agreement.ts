import type { AgreementRecord } from '../../db/repositories/agreements.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import { RuleViolationError } from '../errors.ts';
import { PadesCmsSigner } from '../signing/cms-signer.ts';
import { openPrivateKey } from '../signing/key-vault.ts';
import { certificateSubject, importPrivateKey } from '../signing/pki.ts';
import { addSignature } from '../signing/sign-pdf.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import type { SignedOriginals } from './commit-signature.ts';
import { credentialOwner } from './credential-owner.ts';
import { timestampAuthorityOf } from './timestamping.ts';
import { loadCheckedSigningCredential } from './load-signing-credential.ts';
import { latestOriginal, nextRevision, signatureRevisionOptions, wholeSeconds } from './signature-revision.ts';

/**
 * SIGN with the key the server holds for the signatory: their signature on both originals, each as a
 * new incremental revision of the stored bytes, so every earlier signature stays valid. The SIGN itself
 * is sent like every event (sendAgreementEvent: the policy, the machine, the password once more); the
 * machine names the signOriginals effect, whose handler (effects.ts) calls this before the transaction.
 * The certificate is checked against the party's trust anchors at the signing time first; with a
 * time-stamping authority configured each signature is timestamped. Nothing is written here:
 * commit-signature.ts stores the revisions in the same transaction as the SIGN event.
 */
export async function signAgreement(deps: UseCaseDeps, record: AgreementRecord, user: User, at: Date): Promise<SignedOriginals> {
  const signingTime = wholeSeconds(at);
  const { credential, checked } = await loadCheckedSigningCredential(deps.db, user, signingTime);
  if (credential.encryptedKey === null) {
    throw new RuleViolationError(
      `${user.email}'s certificate is registered without its private key: sign externally (GET /api/agreements/${record.id}/signing-request?original=<party>, then POST /api/agreements/${record.id}/signature)`,
    );
  }
  const signer = new PadesCmsSigner({
    certificatePem: credential.certificatePem,
    chainPems: checked.issuerPems,
    privateKey: await importPrivateKey(openPrivateKey(deps.config.secret, credentialOwner(credential), credential.encryptedKey)),
    timestampAuthority: timestampAuthorityOf(deps),
  });
  const revisions = [];
  for (const original of record.parties) {
    const latest = await latestOriginal(deps.db, record.id, original);
    const options = await signatureRevisionOptions(deps.db, user, signingTime, latest);
    const pdf = await addSignature(latest.pdf, { ...options, signer });
    revisions.push(nextRevision(latest, pdf, at));
  }
  return { revisions, certificateSubject: certificateSubject(credential.certificatePem) };
}

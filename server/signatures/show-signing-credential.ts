import { findSigningCredential, type StoredCredential } from '../../db/repositories/credentials.repository.ts';
import { findUserByEmail, type User } from '../../db/repositories/users.repository.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { authorizeOnUser, type UserAction } from '../auth/policy.ts';
import { NotFoundError, RuleViolationError } from '../errors.ts';
import { signingPathEnd } from '../signing/certificate-checks.ts';
import { certificateView, type CertificateView } from '../signing/certificate-view.ts';
import { pkijsCertificate, x509Certificate } from '../signing/parsed-certificates.ts';
import { partyTrustAnchors } from './load-trust-anchors.ts';

/** A signatory's signing credential as the API shows it. */
export interface SigningCredentialView {
  readonly email: string;
  readonly party: string;
  readonly certificate: CertificateView;
  /** Issuers up to the trust anchor, nearest first (subjects). */
  readonly chain: string[];
  /** True: the server holds the key and signs on SIGN. False: the signatory signs externally. */
  readonly serverHoldsKey: boolean;
  readonly registeredAt: string;
  /**
   * Until when it can sign: the earliest expiry on its chain, or sooner the end its weakest key or hash
   * is counted on (an RSA-2048 key: 2031-01-01), named in `limitedBy`; null there when expiry is the limit.
   * (The demo signatories' certificates expire when their RSA-2048 keys end.)
   */
  readonly signsUntil: string;
  readonly limitedBy: { readonly algorithm: string; readonly endsAt: string } | null;
}

/** The signatory's current signing credential, or 404 when none is registered. */
export async function showSigningCredential(deps: UseCaseDeps, actor: User, email: string): Promise<SigningCredentialView> {
  const signatory = await findSignatory(deps, actor, email, 'signing-credential.read');
  const credential = await findSigningCredential(deps.db, signatory.id);
  if (!credential) throw new NotFoundError(`${signatory.email} has no signing certificate registered`);
  return signingCredentialView(signatory, credential, await partyTrustAnchors(deps.db, signatory.party));
}

/** The signatory `email` names, once the actor may act on their credentials; 404 or 403 otherwise, 422 for a user who does not sign. */
export async function findSignatory(deps: UseCaseDeps, actor: User, email: string, action: UserAction): Promise<User> {
  const user = await findUserByEmail(deps.db, email);
  if (!user) throw new NotFoundError('There is no such user in your party');
  authorizeOnUser(actor, user, action);
  if (user.role !== 'signatory' && user.role !== 'certifying')
    throw new RuleViolationError(
      `${user.email} is not a signatory (${user.role}); only signatories and certifying officers have signing certificates`,
    );
  return user;
}

function signingCredentialView(
  signatory: User,
  credential: StoredCredential,
  anchors: readonly { readonly certificatePem: string }[],
): SigningCredentialView {
  const { signsUntil, limitedBy } = credentialSigningEnd(credential, anchors);
  return {
    email: signatory.email,
    party: signatory.party,
    certificate: certificateView(credential.certificatePem),
    chain: credential.chainPems.map((pem) => certificateView(pem).subject),
    serverHoldsKey: credential.encryptedKey !== null,
    registeredAt: credential.createdAt,
    signsUntil,
    limitedBy,
  };
}

/** Until when a stored credential can sign, and the algorithm that ends it sooner than its chain's expiry (null: expiry ends it). */
export function credentialSigningEnd(
  credential: StoredCredential,
  anchors: readonly { readonly certificatePem: string }[],
): Pick<SigningCredentialView, 'signsUntil' | 'limitedBy'> {
  // The stored chain stops below the anchor, which the party's anchors hold; the anchor counts too.
  const path = [credential.certificatePem, ...credential.chainPems];
  const top = x509Certificate(path.at(-1)!);
  const anchor = anchors.find(({ certificatePem }) => top.checkIssued(x509Certificate(certificatePem)));
  const certificates = [...path, ...(anchor ? [anchor.certificatePem] : [])].map(pkijsCertificate);
  const { signsUntil, expiresAt, weakest } = signingPathEnd(certificates);
  return {
    signsUntil: signsUntil.toISOString(),
    limitedBy: weakest && weakest.endsAt < expiresAt ? { algorithm: weakest.algorithm, endsAt: weakest.endsAt.toISOString() } : null,
  };
}

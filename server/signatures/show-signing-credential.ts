import { findSigningCredential, type StoredCredential } from '../../db/repositories/credentials.repository.ts';
import { findUserByEmail, type User } from '../../db/repositories/users.repository.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { authorizeOnUser, type UserAction } from '../auth/policy.ts';
import { NotFoundError, RuleViolationError } from '../errors.ts';
import { certificateView, type CertificateView } from '../signing/certificate-view.ts';

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
}

/** The signatory's current signing credential, or 404 when none is registered. */
export async function showSigningCredential(deps: UseCaseDeps, actor: User, email: string): Promise<SigningCredentialView> {
  const signatory = await findSignatory(deps, actor, email, 'signing-credential.read');
  const credential = await findSigningCredential(deps.db, signatory.id);
  if (!credential) throw new NotFoundError(`${signatory.email} has no signing certificate registered`);
  return signingCredentialView(signatory, credential);
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

function signingCredentialView(signatory: User, credential: StoredCredential): SigningCredentialView {
  return {
    email: signatory.email,
    party: signatory.party,
    certificate: certificateView(credential.certificatePem),
    chain: credential.chainPems.map((pem) => certificateView(pem).subject),
    serverHoldsKey: credential.encryptedKey !== null,
    registeredAt: credential.createdAt,
  };
}

import type { Queryable } from '../../db/connection.ts';
import { findSigningCredential, type StoredCredential } from '../../db/repositories/credentials.repository.ts';
import { findRevocationOfCredential } from '../../db/repositories/revocations.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import { RuleViolationError } from '../errors.ts';
import { checkSignerCertificate, type CheckedCertificate } from '../signing/certificate-checks.ts';
import { partyTrustAnchors } from './load-trust-anchors.ts';

/** The user's current signing certificate, not revoked and checked for signing at `signingTime` under their party's anchors; 422 otherwise. */
export async function loadCheckedSigningCredential(
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
  const revocation = await findRevocationOfCredential(db, credential.id);
  if (revocation) {
    throw new RuleViolationError(
      `The signing certificate of ${user.email} was revoked at ${revocation.revokedAt} (${revocation.reason}); register a new one to sign`,
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

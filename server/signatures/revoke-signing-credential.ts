import { z } from 'zod';
import { findSigningCredential } from '../../db/repositories/credentials.repository.ts';
import { REVOCATION_REASONS, insertRevocation, type RevocationReason } from '../../db/repositories/revocations.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { NotFoundError, RuleViolationError } from '../errors.ts';
import { serialNumberOf } from '../signing/revocation-data.ts';
import { findSignatory } from './show-signing-credential.ts';

/**
 * A party administrator revokes a signatory's current signing certificate: final, recorded with who,
 * when, the RFC 5280 reason and why. From then on the certificate signs nothing here, and the party's
 * CA lists it in its CRL and answers "revoked" over OCSP when it issued it.
 */

export const revokeSigningCredentialInput = z
  .object({ reason: z.enum(REVOCATION_REASONS).default('unspecified'), explanation: z.string().trim().min(1).max(500) })
  .strict();

export interface RevocationView {
  readonly email: string;
  readonly serialNumber: string;
  readonly revokedAt: string;
  readonly reason: RevocationReason;
  readonly revokedBy: string;
  readonly explanation: string;
}

/** Revokes the signatory's current signing certificate; 404 when they have none, 422 when it is revoked already. */
export async function revokeSigningCredential(
  deps: UseCaseDeps,
  actor: User,
  email: string,
  input: z.output<typeof revokeSigningCredentialInput>,
): Promise<RevocationView> {
  const signatory = await findSignatory(deps, actor, email, 'signing-credential.revoke');
  return deps.db.transaction(async (trx) => {
    const credential = await findSigningCredential(trx, signatory.id);
    if (!credential) throw new NotFoundError(`${signatory.email} has no signing certificate registered`);
    const revocation = {
      party: signatory.party,
      credentialId: credential.id,
      serialNumber: serialNumberOf(credential.certificatePem),
      revokedAt: deps.now().toISOString(),
      reason: input.reason,
      revokedBy: actor.email,
      explanation: input.explanation,
    };
    if (!(await insertRevocation(trx, revocation))) {
      throw new RuleViolationError(`The current signing certificate of ${signatory.email} is revoked already`);
    }
    const { party: _party, credentialId: _credentialId, ...view } = revocation;
    return { email: signatory.email, ...view };
  });
}

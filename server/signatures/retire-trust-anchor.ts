import { z } from 'zod';
import { findPartyTrustAnchorHistory, retireTrustAnchor as markTrustAnchorRetired } from '../../db/repositories/credentials.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { authorizeOnParty } from '../auth/policy.ts';
import { NotFoundError, RuleViolationError } from '../errors.ts';
import { trustAnchorView, type TrustAnchorView } from './list-trust-anchors.ts';

/**
 * An anchor is never deleted, since it is what verified old signatures: it is retired, which is final and
 * recorded with who, when and why. A retired anchor trusts no signature made from then on, and still
 * those made before.
 */

export const retireTrustAnchorInput = z.object({ reason: z.string().trim().min(1).max(500) }).strict();
export type RetireTrustAnchorInput = z.infer<typeof retireTrustAnchorInput>;

/** Retires one of the party's anchors for good: recorded with who, when and why; 404 for none of the party's, 422 when retired already. */
export async function retireTrustAnchor(
  deps: UseCaseDeps,
  actor: User,
  party: string,
  id: number,
  input: RetireTrustAnchorInput,
): Promise<TrustAnchorView> {
  authorizeOnParty(actor, party, 'trust-anchors.manage');
  const anchor = (await findPartyTrustAnchorHistory(deps.db, party)).find((candidate) => candidate.id === id);
  if (!anchor) throw new NotFoundError(`${party} has no trust anchor ${id}`);
  if (anchor.retired) throw new RuleViolationError(`The trust anchor ${id} was retired at ${anchor.retired.at}`);
  const retired = await markTrustAnchorRetired(deps.db, party, id, { at: deps.now().toISOString(), by: actor.email, reason: input.reason });
  if (!retired) throw new RuleViolationError(`The trust anchor ${id} was retired meanwhile`);
  return trustAnchorView((await findPartyTrustAnchorHistory(deps.db, party)).find((candidate) => candidate.id === id)!);
}

import type { Database } from '../../db/connection.ts';
import { listAuditEntries } from '../../db/repositories/audit.repository.ts';
import { verifyAuditChain } from '../../server/agreements/verify-audit.ts';

/**
 * For every agreement in the database: its audit chain verifies, the chain of states in the audit is
 * unbroken (each entry starts where the one before ended), its last entry ends in the state the
 * agreement is in, and there is one entry per version (every change bumps the version and writes one
 * entry, in one transaction). Returns the problems found, empty when everything is explained.
 */
export async function unexplainedAgreements(db: Database, ids?: readonly number[]): Promise<string[]> {
  const agreements: { id: number; state: string; version: number }[] = await (ids
    ? db('agreements')
        .whereIn('id', [...ids])
        .select('id', 'state', 'version')
    : db('agreements').select('id', 'state', 'version'));
  if (ids && agreements.length !== new Set(ids).size)
    return [`${new Set(ids).size - agreements.length} acknowledged agreements are missing`];
  const problems: string[] = [];
  for (const agreement of agreements) {
    const entries = await listAuditEntries(db, agreement.id);
    const verification = verifyAuditChain(entries);
    if (!verification.valid)
      problems.push(`agreement ${agreement.id}: audit chain broken at ${verification.firstBadSeq}: ${verification.detail}`);
    if (entries.length !== agreement.version)
      problems.push(`agreement ${agreement.id}: version ${agreement.version} but ${entries.length} audit entries`);
    const last = entries.at(-1);
    if (last?.to !== agreement.state)
      problems.push(`agreement ${agreement.id}: state ${agreement.state} but its audit ends in ${last?.to}`);
    for (const [index, entry] of entries.entries()) {
      const before = index === 0 ? null : entries[index - 1]!.to;
      if (entry.from !== before)
        problems.push(`agreement ${agreement.id}: audit entry ${entry.seq} goes from ${entry.from}, the one before ended in ${before}`);
    }
  }
  return problems;
}

/**
 * No lost update: every change the server acknowledged is in the audit, at the version it answered
 * (audit entry n is the change that made version n). Returns the acknowledgements that are not.
 */
export async function lostUpdates(
  db: Database,
  acknowledged: readonly { agreementId: number; event: string; version: number }[],
): Promise<string[]> {
  const lost: string[] = [];
  const byAgreement = new Map<number, (typeof acknowledged)[number][]>();
  for (const ack of acknowledged) byAgreement.set(ack.agreementId, [...(byAgreement.get(ack.agreementId) ?? []), ack]);
  for (const [agreementId, acks] of byAgreement) {
    const entries = new Map((await listAuditEntries(db, agreementId)).map((entry) => [entry.seq, entry.event]));
    const versions = acks.map((ack) => ack.version);
    if (new Set(versions).size !== versions.length)
      lost.push(`agreement ${agreementId}: one version acknowledged twice: ${versions.join(', ')}`);
    for (const ack of acks) {
      if (entries.get(ack.version) !== ack.event)
        lost.push(
          `agreement ${agreementId}: ${ack.event} acknowledged at version ${ack.version}, the audit has ${entries.get(ack.version)} there`,
        );
    }
  }
  return lost;
}

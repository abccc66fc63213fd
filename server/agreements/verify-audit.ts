import type { Queryable } from '../../db/connection.ts';
import { auditHash, listAuditEntries, type AuditEntry } from '../../db/repositories/audit.repository.ts';

export type AuditVerification =
  | { readonly valid: true; readonly entries: number; readonly lastHash: string | null }
  | {
      readonly valid: false;
      readonly entries: number;
      /** The sequence number where the chain first breaks. */
      readonly firstBadSeq: number;
      readonly problem: 'altered' | 'removed' | 'inserted';
      readonly detail: string;
    };

const GENESIS_HASH = '0'.repeat(64);

/**
 * Pure: recomputes an agreement's hash chain and names the first entry that was altered (its hash no
 * longer matches its fields), removed (a gap in the sequence, or a link to a hash that is not there) or
 * inserted (an entry whose predecessor does not link to it).
 */
export function verifyAuditChain(entries: readonly AuditEntry[]): AuditVerification {
  let previousHash = GENESIS_HASH;
  for (const [index, entry] of entries.entries()) {
    const expectedSeq = index + 1;
    const broken = (problem: 'altered' | 'removed' | 'inserted', detail: string): AuditVerification => ({
      valid: false,
      entries: entries.length,
      firstBadSeq: entry.seq,
      problem,
      detail,
    });
    const { hash, ...fields } = entry;
    if (auditHash(fields) !== hash) return broken('altered', `entry ${entry.seq} does not match its own hash: its fields were changed`);
    if (entry.seq > expectedSeq) return broken('removed', `entries ${expectedSeq} to ${entry.seq - 1} are missing`);
    if (entry.seq < expectedSeq) return broken('inserted', `entry ${entry.seq} appears again after entry ${expectedSeq - 1}`);
    if (entry.prevHash !== previousHash) {
      // A valid entry that does not link to its predecessor: something between them was taken out or put in.
      const linksFurtherBack = entries.slice(0, index).some((earlier) => earlier.hash === entry.prevHash);
      return linksFurtherBack
        ? broken('inserted', `entry ${entries[index - 1]!.seq} was inserted: entry ${entry.seq} links past it`)
        : broken('removed', `entry ${entry.seq} links to an entry that is no longer there`);
    }
    previousHash = hash;
  }
  return { valid: true, entries: entries.length, lastHash: entries.at(-1)?.hash ?? null };
}

/** Reads the agreement's audit trail and verifies it. */
export async function verifyAgreementAudit(db: Queryable, agreementId: number): Promise<AuditVerification> {
  return verifyAuditChain(await listAuditEntries(db, agreementId));
}

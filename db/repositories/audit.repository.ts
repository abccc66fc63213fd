import { createHash } from 'node:crypto';
import type { Queryable } from '../connection.ts';

/** Who acted: the user (or `system`), their party and role, and where the request came from. */
export interface AuditedActor {
  readonly email: string;
  readonly party: string;
  readonly role: string;
  readonly ip?: string;
  readonly userAgent?: string;
}

/** What a use-case records: the event, its states, who did it. */
export interface AuditEventInput {
  readonly agreementId: number;
  readonly at: string;
  readonly by: AuditedActor;
  readonly event: string;
  readonly from: string | null;
  readonly to: string;
  readonly detail: string | null;
}

/** An entry as stored: flat, each field covered by the hash. */
interface AuditEntryFields {
  readonly agreementId: number;
  readonly at: string;
  readonly actor: string;
  readonly party: string;
  readonly role: string;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly event: string;
  readonly from: string | null;
  readonly to: string;
  readonly detail: string | null;
}

export interface AuditEntry extends AuditEntryFields {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
}

const GENESIS_HASH = '0'.repeat(64);

/** The entry's hash covers every field and the previous hash, so editing, removing or inserting a row breaks the chain. */
export function auditHash(entry: Omit<AuditEntry, 'hash'>): string {
  const fields = [
    entry.agreementId,
    entry.seq,
    entry.at,
    entry.actor,
    entry.party,
    entry.role,
    entry.ip,
    entry.userAgent,
    entry.event,
    entry.from,
    entry.to,
    entry.detail,
    entry.prevHash,
  ];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

/**
 * Appends an entry to the agreement's chain. Call it inside the transaction that made the change,
 * after the guarded version update, which serializes writers of the same agreement.
 */
export async function appendAuditEntry(db: Queryable, event: AuditEventInput): Promise<AuditEntry> {
  const { by, ...rest } = event;
  const input: AuditEntryFields = {
    ...rest,
    actor: by.email,
    party: by.party,
    role: by.role,
    ip: by.ip ?? null,
    userAgent: by.userAgent?.slice(0, 512) ?? null,
  };
  const last = await db('audit_events').where({ agreement_id: input.agreementId }).orderBy('seq', 'desc').first('seq', 'hash');
  const partial = { ...input, seq: (last?.seq ?? 0) + 1, prevHash: last?.hash ?? GENESIS_HASH };
  const entry = { ...partial, hash: auditHash(partial) };
  await db('audit_events').insert({
    agreement_id: entry.agreementId,
    seq: entry.seq,
    at: entry.at,
    actor: entry.actor,
    party_key: entry.party,
    role: entry.role,
    ip: entry.ip,
    user_agent: entry.userAgent,
    event: entry.event,
    from_state: entry.from,
    to_state: entry.to,
    detail: entry.detail,
    prev_hash: entry.prevHash,
    hash: entry.hash,
  });
  return entry;
}

/** The agreement's audit trail, oldest first. */
export async function listAuditEntries(db: Queryable, agreementId: number): Promise<AuditEntry[]> {
  const rows = await db('audit_events').where({ agreement_id: agreementId }).orderBy('seq');
  return rows.map((row) => ({
    agreementId: row.agreement_id,
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    party: row.party_key,
    role: row.role,
    ip: row.ip,
    userAgent: row.user_agent,
    event: row.event,
    from: row.from_state,
    to: row.to_state,
    detail: row.detail,
    prevHash: row.prev_hash,
    hash: row.hash,
  }));
}

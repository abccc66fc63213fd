import { isPostgres, type Queryable } from '../connection.ts';

/**
 * The events the scheduler sends when their date arrives. A row is `pending` until a scheduler
 * process claims it (a lease: `claimed_by` + `claimed_until`) and marks it `done` in the same
 * transaction as its handler's work; `cancelled` rows are never sent. All times are ISO-8601 UTC
 * strings of one fixed length (`Date#toISOString()`), so comparing the strings compares the instants.
 */
export type ScheduledEventStatus = 'pending' | 'done' | 'cancelled';

/** A scheduled event as read back; pure data. */
export interface ScheduledEvent {
  readonly id: number;
  readonly agreementId: number;
  readonly kind: string;
  readonly dueAt: string;
  /** What the scheduler of the event stored, without the scheduler's own bookkeeping. */
  readonly payload: Record<string, unknown>;
  readonly status: ScheduledEventStatus;
  /** How many times a handler has failed on this event so far. */
  readonly attempts: number;
  readonly lastError: string | null;
  readonly claimedBy: string | null;
  readonly claimedUntil: string | null;
  readonly processedAt: string | null;
  readonly createdAt: string;
}

/** The claim a scheduler holds on an event; completing or releasing the event re-checks it. */
export interface EventClaim {
  readonly id: number;
  readonly claimedBy: string;
  readonly claimedUntil: string;
}

interface ScheduledEventRow {
  id: number;
  agreement_id: number;
  kind: string;
  due_at: string;
  payload: string;
  status: ScheduledEventStatus;
  claimed_by: string | null;
  claimed_until: string | null;
  processed_at: string | null;
  created_at: string;
}

/** The scheduler's bookkeeping lives in the payload under this key (the schema has no attempts column). */
const BOOKKEEPING_KEY = '_scheduler';

interface Bookkeeping {
  attempts: number;
  lastError: string | null;
  lastFailedAt: string | null;
}

function splitPayload(text: string): { payload: Record<string, unknown>; bookkeeping: Bookkeeping } {
  const { [BOOKKEEPING_KEY]: stored, ...payload } = JSON.parse(text) as Record<string, unknown>;
  const bookkeeping = (stored ?? {}) as Partial<Bookkeeping>;
  return {
    payload,
    bookkeeping: {
      attempts: bookkeeping.attempts ?? 0,
      lastError: bookkeeping.lastError ?? null,
      lastFailedAt: bookkeeping.lastFailedAt ?? null,
    },
  };
}

const toEvent = (row: ScheduledEventRow): ScheduledEvent => {
  const { payload, bookkeeping } = splitPayload(row.payload);
  return {
    id: row.id,
    agreementId: row.agreement_id,
    kind: row.kind,
    dueAt: row.due_at,
    payload,
    status: row.status,
    attempts: bookkeeping.attempts,
    lastError: bookkeeping.lastError,
    claimedBy: row.claimed_by,
    claimedUntil: row.claimed_until,
    processedAt: row.processed_at,
    createdAt: row.created_at,
  };
};

/** What to send (kind), about which agreement, when (any Date; stored as its ISO instant), with what data. */
export interface ScheduleEventInput {
  readonly agreementId: number;
  readonly kind: string;
  readonly dueAt: Date;
  readonly payload?: Record<string, unknown>;
}

/**
 * Makes sure the event (agreement, kind, due date) is scheduled; idempotent on that triple, so a
 * use-case may call it again on every change. An existing pending or done event is left as it is
 * (payload included: a done event is never sent twice); a cancelled one is re-armed as pending with
 * the new payload. Call it inside the transaction of the change that sets the date.
 */
export async function scheduleEvent(db: Queryable, input: ScheduleEventInput, now: Date): Promise<ScheduledEvent> {
  if (input.kind.length === 0 || input.kind.length > 32) throw new Error(`scheduled event kind must be 1..32 characters: "${input.kind}"`);
  if (input.payload && BOOKKEEPING_KEY in input.payload) throw new Error(`"${BOOKKEEPING_KEY}" is reserved in a scheduled event's payload`);
  const dueAt = input.dueAt.toISOString();
  const payload = JSON.stringify(input.payload ?? {});
  const key = { agreement_id: input.agreementId, kind: input.kind, due_at: dueAt };
  await db('scheduled_events')
    .insert({
      ...key,
      payload,
      status: 'pending',
      claimed_by: null,
      claimed_until: null,
      processed_at: null,
      created_at: now.toISOString(),
    })
    .onConflict(['agreement_id', 'kind', 'due_at'])
    .ignore();
  await db('scheduled_events')
    .where({ ...key, status: 'cancelled' })
    .update({ status: 'pending', payload, claimed_by: null, claimed_until: null, processed_at: null });
  return toEvent((await db<ScheduledEventRow>('scheduled_events').where(key).first())!);
}

/**
 * Cancels the agreement's pending events of the given kinds (all kinds when `kinds` is omitted), e.g.
 * the reminders of a stage that is over. Returns how many were cancelled. A claimed event that is
 * being handled right now is locked by its handler's transaction; this waits for it and then finds
 * it done, so a cancel never undoes a sent event.
 */
export async function cancelPendingEvents(db: Queryable, agreementId: number, kinds?: readonly string[]): Promise<number> {
  const query = db('scheduled_events').where({ agreement_id: agreementId, status: 'pending' });
  if (kinds) query.whereIn('kind', [...kinds]);
  return query.update({ status: 'cancelled', claimed_by: null, claimed_until: null });
}

/** The agreement's scheduled events, by due date. */
export async function listScheduledEvents(db: Queryable, agreementId: number): Promise<ScheduledEvent[]> {
  return (
    await db<ScheduledEventRow>('scheduled_events')
      .where({ agreement_id: agreementId })
      .orderBy([{ column: 'due_at' }, { column: 'id' }])
  ).map(toEvent);
}

/** One event by id; undefined when unknown. */
export async function findScheduledEvent(db: Queryable, id: number): Promise<ScheduledEvent | undefined> {
  const row = await db<ScheduledEventRow>('scheduled_events').where({ id }).first();
  return row && toEvent(row);
}

/** Who claims, at what time, for how long, how many, and which kinds. */
export interface ClaimOptions {
  readonly processId: string;
  readonly now: Date;
  readonly leaseMs: number;
  readonly limit: number;
  /** Only these kinds are claimed: a process never takes an event it has no handler for. */
  readonly kinds: readonly string[];
}

/**
 * Claims up to `limit` due pending events, oldest due first, for `leaseMs`: one atomic statement.
 * On PostgreSQL the candidates are locked with FOR UPDATE SKIP LOCKED, so concurrent processes
 * claim disjoint sets without waiting on each other; on SQLite the single writer makes the guarded
 * UPDATE atomic. An event whose lease ran out (its process died) is claimable again.
 */
export async function claimDueEvents(db: Queryable, options: ClaimOptions): Promise<ScheduledEvent[]> {
  if (options.kinds.length === 0 || options.limit <= 0) return [];
  const now = options.now.toISOString();
  const claimedUntil = new Date(options.now.getTime() + options.leaseMs).toISOString();
  const candidates = db('scheduled_events')
    .select('id')
    .where('status', 'pending')
    .where('due_at', '<=', now)
    .whereIn('kind', [...options.kinds])
    .where((query) => query.whereNull('claimed_until').orWhere('claimed_until', '<', now))
    .orderBy([{ column: 'due_at' }, { column: 'id' }])
    .limit(options.limit);
  if (isPostgres(db)) candidates.forUpdate().skipLocked();
  const rows: ScheduledEventRow[] = await db('scheduled_events')
    .whereIn('id', candidates)
    .update({ claimed_by: options.processId, claimed_until: claimedUntil })
    .returning('*');
  return rows.map(toEvent).sort((a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : a.id - b.id));
}

const claimed = (claim: EventClaim) => ({
  id: claim.id,
  status: 'pending',
  claimed_by: claim.claimedBy,
  claimed_until: claim.claimedUntil,
});

/**
 * Marks a claimed event done, only if the claim still holds (same process, same lease). Call it
 * first in the transaction that runs the event's handler: the row stays locked until commit, so no
 * other process can claim it meanwhile, and false (the lease ran out and another process took it)
 * means the handler must not run.
 */
export async function completeClaimedEvent(db: Queryable, claim: EventClaim, now: Date): Promise<boolean> {
  const updated = await db('scheduled_events')
    .where(claimed(claim))
    .update({ status: 'done', processed_at: now.toISOString(), claimed_until: null });
  return updated === 1;
}

/**
 * Records a failed attempt on a claimed event and keeps it pending, claimed until `retryAt`, so it is
 * retried then (by any process). False when the claim no longer holds.
 */
export async function recordEventFailure(
  db: Queryable,
  claim: EventClaim,
  failure: { error: string; now: Date; retryAt: Date },
): Promise<boolean> {
  const row = await db<ScheduledEventRow>('scheduled_events').where(claimed(claim)).first();
  if (!row) return false;
  const stored = JSON.parse(row.payload) as Record<string, unknown>;
  const { bookkeeping } = splitPayload(row.payload);
  const next: Bookkeeping = {
    attempts: bookkeeping.attempts + 1,
    lastError: failure.error.slice(0, 2000),
    lastFailedAt: failure.now.toISOString(),
  };
  const updated = await db('scheduled_events')
    .where(claimed(claim))
    .update({ payload: JSON.stringify({ ...stored, [BOOKKEEPING_KEY]: next }), claimed_until: failure.retryAt.toISOString() });
  return updated === 1;
}

/** Due pending events of kinds outside `kinds`, by kind: what no handler of this process will send. */
export async function countDueEventsOfOtherKinds(db: Queryable, kinds: readonly string[], now: Date): Promise<Record<string, number>> {
  const rows: { kind: string; count: number | string }[] = await db('scheduled_events')
    .where('status', 'pending')
    .where('due_at', '<=', now.toISOString())
    .whereNotIn('kind', [...kinds])
    .groupBy('kind')
    .select('kind')
    .count({ count: '*' });
  return Object.fromEntries(rows.map((row) => [row.kind, Number(row.count)]));
}

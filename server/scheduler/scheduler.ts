import type { Knex } from 'knex';
import { lockAgreement } from '../../db/repositories/agreements.repository.ts';
import {
  claimDueEvents,
  completeClaimedEvent,
  countDueEventsOfOtherKinds,
  recordEventFailure,
  type EventClaim,
  type ScheduledEvent,
} from '../../db/repositories/scheduled-events.repository.ts';
import { SYSTEM_ACTOR } from '../../workflows/agreement/agreement.events.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { createPollingLoop, type Log, type PollingLoop } from './polling-loop.ts';

/** How the audit names the scheduler, for what its handlers record. */
export const SCHEDULER_ACTOR = { email: 'scheduler', party: SYSTEM_ACTOR.party, role: SYSTEM_ACTOR.role } as const;

/**
 * Runs a due event. It gets the transaction that also marks the event done, so its writes and the
 * "done" commit together or not at all; it must use `trx`, never `deps.db` (on SQLite the one
 * connection is held by `trx`, and `deps.db` would wait for it forever). `now` is the scheduler's
 * clock at the time of handling; the event's own date is `event.dueAt`. Throwing rolls everything
 * back and the event is retried later.
 */
export type ScheduledEventHandler = (trx: Knex.Transaction, event: ScheduledEvent, now: Date) => Promise<void>;

export interface SchedulerOptions {
  /** One handler per event kind. Events of other kinds are never claimed by this process. */
  readonly handlers: Readonly<Record<string, ScheduledEventHandler>>;
  /** Unique per running process (e.g. host:pid:random); it names the holder of a claim. */
  readonly processId: string;
  /** Events claimed per round trip; default 50. */
  readonly batchSize?: number;
  /** How long a claim holds before another process may take the event over; default 60 s. */
  readonly leaseMs?: number;
  /** The longest wait before retrying a failing event; default 1 h. */
  readonly maxRetryDelayMs?: number;
  readonly log?: Log;
}

/** Its runOnce() claims and handles everything due now and resolves with how many events were handled. */
export type Scheduler = PollingLoop;

const DEFAULT_BATCH_SIZE = 50;
const DEFAULT_LEASE_MS = 60_000;
const DEFAULT_MAX_RETRY_DELAY_MS = 60 * 60_000;

/**
 * The scheduler: sends each due event exactly once, even with several processes on one PostgreSQL
 * database. A process claims a batch of due events (a lease, taken with FOR UPDATE SKIP LOCKED), then
 * handles each in its own transaction that first locks the agreement, re-checks the claim and marks
 * the event done, then runs the handler: one commit for both, and the event row stays locked until
 * then, so no other process can take it over mid-work. A process that dies mid-work leaves its claim
 * to run out; another process then takes the event. A handler that throws leaves the event pending,
 * counts the attempt (in the payload's `_scheduler` bookkeeping, shown as `event.attempts` and
 * `event.lastError`) and retries it after the lease, then with doubling delays up to
 * `maxRetryDelayMs`; it never gives up by itself.
 */
export function createScheduler(deps: UseCaseDeps, options: SchedulerOptions): Scheduler {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? DEFAULT_MAX_RETRY_DELAY_MS;
  const log = options.log ?? ((message, error) => console.error(message, error ?? ''));
  const kinds = Object.keys(options.handlers);
  const name = `scheduler ${options.processId}`;
  if (options.processId.length === 0 || options.processId.length > 64) throw new Error('processId must be 1..64 characters');
  if (kinds.length === 0) throw new Error('the scheduler needs at least one handler');

  async function handle(event: ScheduledEvent): Promise<boolean> {
    const claim: EventClaim = { id: event.id, claimedBy: options.processId, claimedUntil: event.claimedUntil! };
    const handler = options.handlers[event.kind]!;
    try {
      const handled = await deps.db.transaction(async (trx) => {
        // Lock order agreement -> event, the same order as a use-case that changes the agreement and
        // then cancels its events, so the two cannot deadlock.
        await lockAgreement(trx, event.agreementId);
        const now = deps.now();
        if (!(await completeClaimedEvent(trx, claim, now))) return false;
        await handler(trx, event, now);
        return true;
      });
      if (!handled) log(`${name}: the claim on event ${event.id} (${event.kind}) ran out and another process took it; skipped`);
      return handled;
    } catch (error) {
      const now = deps.now();
      const attempt = event.attempts + 1;
      const retryAt = new Date(now.getTime() + Math.min(leaseMs * 2 ** Math.min(attempt - 1, 30), maxRetryDelayMs));
      const message = error instanceof Error ? error.message : String(error);
      try {
        await recordEventFailure(deps.db, claim, { error: message, now, retryAt });
      } catch (recordError) {
        log(`${name}: could not record the failure of event ${event.id}; it is retried when its claim runs out`, recordError);
      }
      log(
        `${name}: event ${event.id} (${event.kind}, agreement ${event.agreementId}, due ${event.dueAt}) failed on attempt ${attempt}; retrying from ${retryAt.toISOString()}`,
        error,
      );
      return false;
    }
  }

  async function runBatch(limit: number) {
    const events = await claimDueEvents(deps.db, { processId: options.processId, now: deps.now(), leaseMs, limit, kinds });
    let handled = 0;
    for (const event of events) if (await handle(event)) handled += 1;
    return { claimed: events.length, counted: handled };
  }

  const loop = createPollingLoop(name, { batchSize, runBatch, log });

  return {
    ...loop,
    start(intervalMs) {
      // Events nobody here can send stay pending for a process that can (say, a newer version during
      // a rolling deploy); say so once, rather than dropping them or claiming them in a loop.
      void countDueEventsOfOtherKinds(deps.db, kinds, deps.now()).then(
        (counts) => {
          if (Object.keys(counts).length > 0) log(`${name}: due events with no handler here are left pending: ${JSON.stringify(counts)}`);
        },
        (error: unknown) => log(`${name}: could not count unhandled events`, error),
      );
      loop.start(intervalMs);
    },
  };
}

import type { Knex } from 'knex';
import { z } from 'zod';
import { isPostgres, type Queryable } from '../../db/connection.ts';
import { findAgreementRecord, loadText, loadVisibleAgreement } from '../agreements/load-agreement.ts';
import { appendAuditEntry } from '../../db/repositories/audit.repository.ts';
import {
  advanceObligation,
  findObligation,
  insertObligation,
  insertObligationCompletion,
  listObligationCompletions,
  listObligations,
  listObligationsToRemind,
  markObligationReminded,
  RECURRENCES,
  type ObligationRecord,
  type Recurrence,
} from '../../db/repositories/obligations.repository.ts';
import { scheduleEvent, type ScheduledEvent } from '../../db/repositories/scheduled-events.repository.ts';
import { findUserByEmail, type User } from '../../db/repositories/users.repository.ts';
import { auditedActor } from '../agreements/commit-transition.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { authorize } from '../auth/policy.ts';
import { ConflictError, ForbiddenError, NotFoundError, RuleViolationError } from '../errors.ts';
import { addDays, addMonths } from '../lifecycle/lifecycle-plan.ts';
import { notify } from '../notifications/notify.ts';
import { userText } from '../text/safe-text.ts';

/**
 * Obligations written into an agreement ("the coordinators meet at least once a year"), recorded by a
 * party against the article that says so, with one of its users as owner and a due date that may
 * recur. The scheduler reminds the owner of each occurrence once, REMINDER_DAYS before it is due (or
 * at once when that is past); marking an occurrence done records the note and opens the next one.
 */
export const OBLIGATION_REMINDER_KIND = 'obligation-due';
export const REMINDER_DAYS = 14;
const MONTHS: Record<Exclude<Recurrence, 'none'>, number> = { monthly: 1, quarterly: 3, yearly: 12 };
/** Clauses that state no obligation: the title, the preamble and the final clause are not articles. */
const NOT_ARTICLES = new Set(['title', 'preamble', 'final-clause']);

export const recordObligationInput = z
  .object({
    clause: z.string().min(1).max(64),
    text: userText(1000, { singleLine: false }).trim().min(1),
    owner: z.string().min(3).max(254),
    dueOn: z.iso.date(),
    recurrence: z.enum(RECURRENCES).default('none'),
  })
  .strict();
export type RecordObligationInput = z.infer<typeof recordObligationInput>;

export const completeObligationInput = z
  .object({
    /** The occurrence being marked done: a stale page cannot mark the next one. */
    dueOn: z.iso.date(),
    note: userText(2000, { singleLine: false }).trim().min(1),
  })
  .strict();
export type CompleteObligationInput = z.infer<typeof completeObligationInput>;

export interface ObligationView {
  readonly id: number;
  readonly party: string;
  readonly clause: string;
  readonly text: string;
  readonly owner: string;
  readonly recurrence: Recurrence;
  readonly startsOn: string;
  readonly dueOn: string | null;
  readonly state: 'open' | 'done';
  readonly createdBy: string;
  readonly createdAt: string;
  readonly completions: readonly { dueOn: string; note: string; doneBy: string; doneAt: string }[];
}

/** Pure: the due date of the n-th occurrence after the first, counted from the first (no drift from the 31st). */
export function occurrenceDate(startsOn: string, recurrence: Recurrence, occurrence: number): string | null {
  if (recurrence === 'none') return occurrence === 0 ? startsOn : null;
  return addMonths(startsOn, MONTHS[recurrence] * occurrence);
}

/** Pure: when the reminder of an occurrence due on `dueOn` goes out, given the clock. */
export function reminderAt(dueOn: string, now: Date): Date {
  const day = new Date(`${addDays(dueOn, -REMINDER_DAYS)}T00:00:00Z`);
  return day.getTime() > now.getTime() ? day : now;
}

/** The agreement's obligations, with the completions of each. Reads only. */
export async function agreementObligations(db: Queryable, agreementId: number): Promise<ObligationView[]> {
  const [obligations, completions] = await Promise.all([listObligations(db, agreementId), listObligationCompletions(db, agreementId)]);
  return obligations.map((obligation) => toView(obligation, completions));
}

export async function listAgreementObligations(deps: UseCaseDeps, user: User, agreementId: number): Promise<ObligationView[]> {
  const record = await loadVisibleAgreement(deps.db, agreementId, user);
  authorize(user, record, 'agreement.read');
  return agreementObligations(deps.db, agreementId);
}

/**
 * Legal staff or an official record an obligation of their party against an article of a running
 * agreement. One transaction: the row, its reminder, the audit entry.
 */
export async function recordObligation(
  deps: UseCaseDeps,
  user: User,
  agreementId: number,
  input: RecordObligationInput,
): Promise<ObligationView> {
  const record = await loadVisibleAgreement(deps.db, agreementId, user);
  authorize(user, record, 'obligation.record');
  const text = await loadText(deps.db, record);
  const articles = text.text.clauses.map((clause) => clause.key).filter((key) => !NOT_ARTICLES.has(key));
  if (!articles.includes(input.clause)) {
    throw new RuleViolationError(
      `The agreement has no article "${input.clause}"; obligations are recorded against one of: ${articles.join(', ')}`,
      {
        field: 'clause',
        articles,
      },
    );
  }
  const owner = await findUserByEmail(deps.db, input.owner);
  if (!owner || owner.party !== user.party || owner.disabledAt !== null) {
    throw new RuleViolationError(`The owner must be an active user of ${user.party}; ${input.owner} is not`, { field: 'owner' });
  }
  const at = deps.now();
  const today = at.toISOString().slice(0, 10);
  const [earliest, latest] = [addMonths(today, -12), addMonths(today, 12 * 50)];
  if (input.dueOn < earliest || input.dueOn > latest) {
    throw new RuleViolationError(`dueOn cannot be ${input.dueOn}: it must be from ${earliest} to ${latest}`, {
      field: 'dueOn',
      earliest,
      latest,
    });
  }
  const id = await deps.db.transaction(async (trx) => {
    await lockAgreement(trx, agreementId);
    const inserted = await insertObligation(trx, {
      agreementId,
      party: user.party,
      clause: input.clause,
      text: input.text,
      ownerId: owner.id,
      startsOn: input.dueOn,
      recurrence: input.recurrence,
      createdBy: user.id,
      createdAt: at.toISOString(),
    });
    await scheduleReminder(trx, agreementId, input.dueOn, at);
    await appendAuditEntry(trx, {
      agreementId,
      at: at.toISOString(),
      by: auditedActor(user),
      event: 'RECORD_OBLIGATION',
      from: record.state,
      to: record.state,
      detail: `obligation ${inserted} under ${input.clause}, owner ${owner.email}, due ${input.dueOn}${input.recurrence === 'none' ? '' : `, ${input.recurrence}`}`,
    });
    return inserted;
  });
  return (await agreementObligations(deps.db, agreementId)).find((obligation) => obligation.id === id)!;
}

/**
 * Legal staff or an official of the obligation's party mark its open occurrence done with a note; a
 * recurring one then opens its next occurrence, reminded in its turn. One transaction; a second
 * marking of the same occurrence is 409.
 */
export async function completeObligation(
  deps: UseCaseDeps,
  user: User,
  agreementId: number,
  obligationId: number,
  input: CompleteObligationInput,
): Promise<ObligationView> {
  const record = await loadVisibleAgreement(deps.db, agreementId, user);
  authorize(user, record, 'obligation.complete');
  const obligation = await findObligation(deps.db, agreementId, obligationId);
  if (!obligation) throw new NotFoundError(`The agreement has no obligation ${obligationId}`);
  if (obligation.party !== user.party) throw new ForbiddenError(`The obligation is ${obligation.party}'s; its own staff mark it done`);
  if (obligation.state === 'done' || obligation.dueOn !== input.dueOn) {
    throw new ConflictError(
      obligation.state === 'done'
        ? `The obligation ${obligationId} is done already`
        : `The obligation's open occurrence is due on ${obligation.dueOn}, not ${input.dueOn}`,
      { dueOn: obligation.dueOn },
    );
  }
  const at = deps.now();
  const occurrence = obligation.occurrence + 1;
  const nextDueOn = occurrenceDate(obligation.startsOn, obligation.recurrence, occurrence);
  await deps.db.transaction(async (trx) => {
    await lockAgreement(trx, agreementId);
    const moved = await advanceObligation(trx, obligationId, input.dueOn, {
      occurrence,
      dueOn: nextDueOn,
      state: nextDueOn === null ? 'done' : 'open',
    });
    if (!moved) throw new ConflictError(`The occurrence due on ${input.dueOn} was marked done meanwhile`);
    await insertObligationCompletion(trx, {
      obligationId,
      dueOn: input.dueOn,
      note: input.note,
      doneBy: user.id,
      doneAt: at.toISOString(),
    });
    if (nextDueOn !== null) await scheduleReminder(trx, agreementId, nextDueOn, at);
    await appendAuditEntry(trx, {
      agreementId,
      at: at.toISOString(),
      by: auditedActor(user),
      event: 'COMPLETE_OBLIGATION',
      from: record.state,
      to: record.state,
      detail: `obligation ${obligationId} due ${input.dueOn} done${nextDueOn ? `; next due ${nextDueOn}` : ''}`,
    });
  });
  return (await agreementObligations(deps.db, agreementId)).find((found) => found.id === obligationId)!;
}

/**
 * The scheduler's handler: tells each owner of an open obligation of the agreement whose reminder is
 * due that it falls due, once per occurrence (`reminded_for` is written in the same transaction as
 * the notification and the event's "done"). Only the owner's party's webhooks hear of it.
 */
export async function remindObligations(trx: Knex.Transaction, event: ScheduledEvent, now: Date): Promise<void> {
  const record = await findAgreementRecord(trx, event.agreementId);
  if (!record) return;
  const dueBy = addDays(now.toISOString().slice(0, 10), REMINDER_DAYS);
  for (const obligation of await listObligationsToRemind(trx, record.id, dueBy)) {
    await markObligationReminded(trx, obligation.id, obligation.dueOn!);
    await notify(trx, {
      agreementId: record.id,
      kind: OBLIGATION_REMINDER_KIND,
      payload: {
        obligationId: obligation.id,
        clause: obligation.clause,
        text: obligation.text,
        dueOn: obligation.dueOn,
        recurrence: obligation.recurrence,
        title: record.title,
      },
      userIds: [obligation.ownerId],
      parties: [obligation.party],
      occurredAt: now,
    });
  }
}

async function scheduleReminder(trx: Knex.Transaction, agreementId: number, dueOn: string, now: Date): Promise<void> {
  await scheduleEvent(trx, { agreementId, kind: OBLIGATION_REMINDER_KIND, dueAt: reminderAt(dueOn, now), payload: { dueOn } }, now);
}

/** The audit chain of an agreement grows one entry at a time: on PostgreSQL, hold the agreement's row meanwhile. */
async function lockAgreement(trx: Knex.Transaction, agreementId: number): Promise<void> {
  if (isPostgres(trx)) await trx('agreements').where({ id: agreementId }).forUpdate().select('id');
}

function toView(obligation: ObligationRecord, completions: Awaited<ReturnType<typeof listObligationCompletions>>): ObligationView {
  return {
    id: obligation.id,
    party: obligation.party,
    clause: obligation.clause,
    text: obligation.text,
    owner: obligation.owner,
    recurrence: obligation.recurrence,
    startsOn: obligation.startsOn,
    dueOn: obligation.dueOn,
    state: obligation.state,
    createdBy: obligation.createdBy,
    createdAt: obligation.createdAt,
    completions: completions
      .filter((completion) => completion.obligationId === obligation.id)
      .map(({ dueOn, note, doneBy, doneAt }) => ({ dueOn, note, doneBy, doneAt })),
  };
}

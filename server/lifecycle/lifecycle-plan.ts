import type { AgreementDates } from '../../db/repositories/agreements.repository.ts';
import type { DueDatedStage } from '../../workflows/agreement/agreement.machine.ts';
import type { AgreementVariables } from '../agreements/agreement-variables.ts';

/** The kinds of event the scheduler sends for an agreement. */
export type ScheduledKind = 'enter-into-force' | 'term-end' | 'terminate' | 'reminder' | 'overdue';

export interface PlannedEvent {
  readonly kind: ScheduledKind;
  /** The day it is due (YYYY-MM-DD); the scheduler sends it from the start of that day, UTC. */
  readonly dueOn: string;
  readonly payload: Record<string, unknown>;
}

/** What one effect of a transition does to the agreement's dates and to its schedule. */
export interface LifecyclePlan {
  readonly dates: Partial<AgreementDates>;
  readonly schedule: readonly PlannedEvent[];
}

const NOTICE_REMINDER_DAYS = 30;
const DUE_REMINDER_DAYS = 3;

/*
 * Pure date arithmetic for the effects the machine names (server/agreements/effects.ts). The term runs
 * from the day the agreement enters into force; with automatic renewal the last day for a notice of
 * non-renewal is `noticeMonths` before the end of the term; a notice given in time ends the agreement
 * at the end of the term, a late one at the end of the next; without renewal a notice takes effect
 * after `noticeMonths`, or at the end of the term if that comes first.
 */

/** Executed, in force on signature: from today, carried out by the scheduler's event due today. */
export function entryIntoForceOnSignature(today: string): LifecyclePlan {
  return { dates: { inForceOn: today }, schedule: [{ kind: 'enter-into-force', dueOn: today, payload: {} }] };
}

/** The clause that gives a text its term; a text without it (a letter of intent) has none. */
export const DURATION_CLAUSE = 'duration-and-termination';

/** Whether the text states a term at all: the lifecycle keeps only the dates the signed text states. */
export function hasDurationClause(text: { readonly clauses: readonly { readonly key: string }[] }): boolean {
  return text.clauses.some((clause) => clause.key === DURATION_CLAUSE);
}

/**
 * The first term, from the day the agreement entered into force; none (no end, no last day for notice)
 * when the text has no duration clause: the lifecycle never invents a term the printed text does not state.
 */
export function firstTerm(inForceSince: string, variables: AgreementVariables, hasTerm = true): LifecyclePlan {
  if (!hasTerm) return { dates: { inForceOn: inForceSince, expiresOn: null, noticeDeadlineOn: null }, schedule: [] };
  return termDates(inForceSince, variables);
}

/** The term after a renewal, from the end of the last one. */
export function nextTerm(dates: AgreementDates, variables: AgreementVariables): LifecyclePlan {
  return termDates(dates.expiresOn!, variables, dates.inForceOn);
}

/** The day a notice given on `noticeDate` ends the agreement, and its event unless the term end carries it out. */
export function termination(noticeDate: string, dates: AgreementDates, variables: AgreementVariables): LifecyclePlan {
  // No term stated (no duration clause): a notice discontinues the instrument on the day it is given.
  if (!dates.expiresOn) return { dates: { terminatesOn: noticeDate }, schedule: [{ kind: 'terminate', dueOn: noticeDate, payload: {} }] };
  const terminatesOn = variables.autoRenewal
    ? noticeDate <= dates.noticeDeadlineOn!
      ? dates.expiresOn!
      : addMonths(dates.expiresOn!, variables.termYears * 12)
    : [addMonths(noticeDate, variables.noticeMonths), dates.expiresOn!].sort()[0]!;
  // A notice that ends the agreement at the end of this term is carried out by the term-end event.
  const schedule: PlannedEvent[] = terminatesOn === dates.expiresOn ? [] : [{ kind: 'terminate', dueOn: terminatesOn, payload: {} }];
  return { dates: { terminatesOn }, schedule };
}

/** A term that starts on `start`: its end, the last day for a notice, the events for both. */
function termDates(start: string, variables: AgreementVariables, inForceOn: string | null = start): LifecyclePlan {
  const expiresOn = addMonths(start, variables.termYears * 12);
  const noticeDeadlineOn = variables.autoRenewal ? addMonths(expiresOn, -variables.noticeMonths) : null;
  const schedule: PlannedEvent[] = [{ kind: 'term-end', dueOn: expiresOn, payload: {} }];
  if (noticeDeadlineOn) {
    schedule.push({
      kind: 'reminder',
      dueOn: addDays(noticeDeadlineOn, -NOTICE_REMINDER_DAYS),
      payload: { about: 'notice-deadline', noticeDeadlineOn },
    });
  }
  return { dates: { inForceOn, expiresOn, noticeDeadlineOn }, schedule };
}

/** Each due-dated stage's due date. */
const DUE_DATES: Readonly<Record<DueDatedStage, keyof AgreementDates>> = {
  review: 'reviewDueOn',
  approval: 'approvalDueOn',
  signing: 'signingDueOn',
};

/** A reminder a few days before a stage's due date and an overdue notice the day after it; none for a stage without one. */
export function dueReminders(stage: string, dates: AgreementDates): PlannedEvent[] {
  const due = Object.hasOwn(DUE_DATES, stage) ? dates[DUE_DATES[stage as DueDatedStage]] : null;
  if (!due) return [];
  return [
    { kind: 'reminder', dueOn: addDays(due, -DUE_REMINDER_DAYS), payload: { stage, dueOn: due } },
    { kind: 'overdue', dueOn: addDays(due, 1), payload: { stage, dueOn: due } },
  ];
}

/** Calendar arithmetic on YYYY-MM-DD in UTC; the end of a short month clamps (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(isoDate: string, months: number): string {
  const [year, month, day] = isoDate.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(year, month - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, lastDay));
  return target.toISOString().slice(0, 10);
}

export function addDays(isoDate: string, days: number): string {
  const date = new Date(`${isoDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

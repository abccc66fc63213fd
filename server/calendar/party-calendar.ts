import ical, { ICalCalendarMethod, ICalEventRepeatingFreq } from 'ical-generator';
import { listDatedAgreements, type DatedAgreement } from '../../db/repositories/calendar.repository.ts';
import { listOpenObligationsOfParty, type Recurrence } from '../../db/repositories/obligations.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import type { AgreementState } from '../../workflows/agreement/agreement.events.ts';
import { stateNameHasTag } from '../../workflows/agreement/agreement.workflow.ts';
import type { UseCaseDeps } from '../agreements/deps.ts';
import { addDays } from '../lifecycle/lifecycle-plan.ts';
import type { Lang } from '../text/languages.ts';
import { translate } from '../web/i18n.ts';

/**
 * The calendar of a party: every date that binds it in its agreements, from the columns the scheduler
 * works from (server/lifecycle): the due dates of review, approval and signing while that stage is
 * still ahead or under way, entry into force, the end of the current term, the last day to give
 * notice, and termination. One list for the page, the JSON and the iCalendar feed.
 */
export const BINDING_DATE_KINDS = [
  'review-due',
  'approval-due',
  'signing-due',
  'entry-into-force',
  'notice-deadline',
  'term-end',
  'termination',
  'obligation-due',
] as const;
export type BindingDateKind = (typeof BINDING_DATE_KINDS)[number];

export interface BindingDate {
  /** YYYY-MM-DD. */
  readonly date: string;
  readonly kind: BindingDateKind;
  readonly agreementId: number;
  readonly agreementKind: string;
  readonly title: string;
  readonly state: AgreementState;
  /** For `obligation-due`: the obligation whose open occurrence falls due on `date`. */
  readonly obligation?: {
    readonly id: number;
    readonly clause: string;
    readonly text: string;
    readonly owner: string;
    readonly recurrence: Recurrence;
  };
}

/** Pure: the binding dates of one agreement. */
export function bindingDatesOf(agreement: DatedAgreement): BindingDate[] {
  const { dates, state } = agreement;
  const candidates: [BindingDateKind, string | null, boolean][] = [
    // A due date binds until its stage is over; the end of a term and the last day for notice, while the agreement runs.
    ['review-due', dates.reviewDueOn, stateNameHasTag(state, 'review-ahead')],
    ['approval-due', dates.approvalDueOn, stateNameHasTag(state, 'approval-ahead')],
    ['signing-due', dates.signingDueOn, stateNameHasTag(state, 'signing-ahead')],
    ['entry-into-force', dates.inForceOn, true],
    ['notice-deadline', dates.noticeDeadlineOn, stateNameHasTag(state, 'running') && dates.terminatesOn === null],
    ['term-end', dates.expiresOn, stateNameHasTag(state, 'term-dated')],
    ['termination', dates.terminatesOn, true],
  ];
  return candidates.flatMap(([kind, date, binds]) =>
    date && binds ? [{ date, kind, agreementId: agreement.id, agreementKind: agreement.kind, title: agreement.title, state }] : [],
  );
}

/** Every binding date of the user's party, by date (then agreement), titles in `lang`. Reads only. */
export async function partyCalendar(deps: UseCaseDeps, user: User, lang: Lang): Promise<BindingDate[]> {
  const [agreements, obligations] = await Promise.all([
    listDatedAgreements(deps.db, user.party, lang),
    listOpenObligationsOfParty(deps.db, user.party, lang),
  ]);
  const obligationDates: BindingDate[] = obligations.map((obligation) => ({
    date: obligation.dueOn!,
    kind: 'obligation-due',
    agreementId: obligation.agreementId,
    agreementKind: obligation.agreementKind,
    title: obligation.title,
    state: obligation.agreementState as AgreementState,
    obligation: {
      id: obligation.id,
      clause: obligation.clause,
      text: obligation.text,
      owner: obligation.owner,
      recurrence: obligation.recurrence,
    },
  }));
  return [...agreements.flatMap(bindingDatesOf), ...obligationDates].sort(
    (a, b) => a.date.localeCompare(b.date) || a.agreementId - b.agreementId || a.kind.localeCompare(b.kind),
  );
}

/**
 * The dates as an iCalendar (RFC 5545) document: one all-day event per date, its summary in the
 * reader's language, a link to the agreement page, and a UID that stays the same while the date
 * moves, so a subscribed calendar updates the event instead of adding another.
 */
export function calendarDocument(
  dates: readonly BindingDate[],
  options: { lang: Lang; baseUrl: string; party: string; now: Date },
): string {
  const calendar = ical({
    name: translate(options.lang, 'calendar.feedName', { party: options.party }),
    prodId: { company: 'Bilateral', product: 'binding-dates', language: options.lang.toUpperCase() },
    method: ICalCalendarMethod.PUBLISH,
  });
  for (const date of dates) {
    const what = translate(options.lang, `calendar.kind.${date.kind}`);
    const summary = date.obligation ? `${what}: ${date.obligation.text} (${date.title})` : `${what}: ${date.title}`;
    const recurrence = date.obligation?.recurrence;
    calendar.createEvent({
      // An obligation keeps its UID from one occurrence to the next: the calendar moves the event.
      id: date.obligation
        ? `agreement-${date.agreementId}-obligation-${date.obligation.id}@bilateral`
        : `agreement-${date.agreementId}-${date.kind}@bilateral`,
      ...(recurrence && recurrence !== 'none' && { repeating: REPEATING[recurrence] }),
      start: dateOnly(date.date),
      end: dateOnly(addDays(date.date, 1)),
      allDay: true,
      stamp: options.now,
      summary,
      description: `${summary}\n${options.baseUrl}/agreements/${date.agreementId}`,
      url: `${options.baseUrl}/agreements/${date.agreementId}`,
    });
  }
  return calendar.toString();
}

/** A recurring obligation repeats in the subscriber's calendar from its open occurrence on. */
const REPEATING = {
  monthly: { freq: ICalEventRepeatingFreq.MONTHLY, interval: 1 },
  quarterly: { freq: ICalEventRepeatingFreq.MONTHLY, interval: 3 },
  yearly: { freq: ICalEventRepeatingFreq.YEARLY, interval: 1 },
} as const satisfies Record<Exclude<Recurrence, 'none'>, { freq: ICalEventRepeatingFreq; interval: number }>;

/** A YYYY-MM-DD as the Date ical-generator writes as that day (all-day events are floating dates). */
function dateOnly(isoDate: string): Date {
  const [year, month, day] = isoDate.split('-').map(Number) as [number, number, number];
  return new Date(year, month - 1, day);
}

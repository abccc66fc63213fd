import type { AgreementRecord } from '../../db/repositories/agreements.repository.ts';
import type { AgreementEventType, Role } from '../../workflows/agreement/agreement.events.ts';
import { stateHasTag } from '../../workflows/agreement/agreement.workflow.ts';
import type { agreementView } from '../agreements/agreement-view.ts';
import { LOCALE, type Lang } from '../text/languages.ts';
import { calendarDayIn, formatDate, translate } from './i18n.ts';

type View = Awaited<ReturnType<typeof agreementView>>;

/** Whose turn it is: a role of a party that may move the agreement forward now. */
export interface Turn {
  readonly party: string;
  readonly role: Role;
  readonly events: readonly AgreementEventType[];
  /** Whether this turn alone moves the agreement on: where every turn does, any one of them is enough. */
  readonly alone: boolean;
}

export interface AgreementStatus {
  /** "1 of 2 signed", while the stage counts the parties' steps. */
  readonly progress?: string;
  /** "Waiting for Gyeonggi Province: signatory"; "you" when it is the reader's party and role. */
  readonly waiting: readonly string[];
  /** The next date that binds someone: the stage's due date, or the last day for a notice. */
  readonly deadline?: string;
  /** After execution: the banner with the dates that bind. */
  readonly completed?: { readonly heading: string; readonly dates: readonly { readonly label: string; readonly date: string }[] };
}

/** The stages whose steps each party takes once, and which of the view's lists records them. */
const COUNTED_STAGES = {
  review: (view: View) => view.approvals.review.length,
  approval: (view: View) => view.approvals.approval.length,
  signing: (view: View) => view.signatures.length,
} as const;

const DUE_DATE_OF_STAGE = { review: 'reviewDueOn', approval: 'approvalDueOn', signing: 'signingDueOn' } as const;

/** Pure: the answers to "where is it, whom do we wait for, until when", in the reader's language. */
export function agreementStatus(
  lang: Lang,
  input: {
    readonly record: AgreementRecord;
    readonly view: View;
    readonly waitingFor: readonly Turn[];
    readonly partyName: (key: string) => string;
    readonly reader: { readonly party: string; readonly role: Role };
    /** The reader's zone: the day of signing is the day it was where they read it. */
    readonly timeZone: string;
  },
): AgreementStatus {
  const { record, view } = input;
  const t = (key: string, values?: Record<string, unknown>) => translate(lang, key, values);
  const counted = record.state in COUNTED_STAGES ? COUNTED_STAGES[record.state as keyof typeof COUNTED_STAGES] : undefined;
  const progress = counted && t(`standing.progress.${record.state}`, { done: counted(view), total: record.parties.length });
  const isReaders = (turn: Turn) => turn.party === input.reader.party && turn.role === input.reader.role;
  const action = (turn: Turn) => t(`waiting.${turn.events[0]}`);
  const whose = (turn: Turn) => t('standing.turn', { party: input.partyName(turn.party), role: t(`role.${turn.role}`) });
  const anyOne = (turns: readonly Turn[]) => new Intl.ListFormat(LOCALE[lang], { type: 'disjunction' }).format(turns.map(whose));
  const readers = input.waitingFor.find(isReaders);
  const others = input.waitingFor.filter((turn) => !isReaders(turn));
  // Either party's legal staff may submit a draft: two lines "waiting for" would read as if both had to.
  const waiting =
    input.waitingFor.length > 1 && input.waitingFor.every((turn) => turn.alone)
      ? [
          readers
            ? t('standing.waitingForYouOrOthers', { action: action(readers), others: anyOne(others) })
            : t('standing.waitingForOneOf', { turns: anyOne(input.waitingFor) }),
        ]
      : input.waitingFor.map((turn) =>
          isReaders(turn)
            ? t('standing.waitingForYou', { action: action(turn) })
            : t('standing.waitingFor', { party: input.partyName(turn.party), role: t(`role.${turn.role}`) }),
        );
  const dueColumn = record.state in DUE_DATE_OF_STAGE ? DUE_DATE_OF_STAGE[record.state as keyof typeof DUE_DATE_OF_STAGE] : undefined;
  const due = dueColumn ? record.dates[dueColumn] : stateHasTag(record.workflow, 'running') ? record.dates.noticeDeadlineOn : null;
  const deadline = due ? t(dueColumn ? 'standing.dueOn' : 'standing.noticeBy', { date: formatDate(lang, due) }) : undefined;
  const completed = stateHasTag(record.workflow, 'originals-signed')
    ? {
        heading: t(`standing.completed.${record.state}`),
        dates: (
          [
            [
              'standing.date.signed',
              view.signatures
                .map((signature) => calendarDayIn(signature.signedAt, input.timeZone))
                .sort()
                .at(-1),
            ],
            ['standing.date.inForceSince', view.lifecycle.inForceSince],
            ['standing.date.expiresOn', record.dates.expiresOn],
            ['standing.date.noticeDeadlineOn', record.dates.noticeDeadlineOn],
            ['standing.date.terminatesOn', record.dates.terminatesOn],
          ] as const
        ).flatMap(([label, date]) => (date ? [{ label: t(label), date: formatDate(lang, date) }] : [])),
      }
    : undefined;
  return { progress, waiting, deadline, completed };
}

import type { Lang } from '../text/languages.ts';
import { formatDateTime, hasMessage, translate } from '../web/i18n.ts';

/** One notification a mail tells of, with what the recipient's language needs already resolved. */
export interface MailItem {
  readonly kind: string;
  readonly payload: Record<string, unknown>;
  /** The agreement's title in the recipient's language; null for a notice about no agreement. */
  readonly title: string | null;
  /** The page the notice is about, absolute. */
  readonly link: string;
  /** The party whose member sent the event, named in the reader's language; absent for the scheduler or a sender not found. */
  readonly byParty?: string;
  readonly at: string;
}

export interface ComposedMail {
  readonly subject: string;
  readonly text: string;
}

/** Who reads it: a line that says "waits for you" is only for those whose turn it is. */
export interface Reader {
  readonly party: string;
  readonly role: string;
}

/**
 * Whether the notice waits for the reader: it names whose turn it is (`turns`, every transition
 * since they were recorded) and the reader's party and role are among them; a notice without them
 * was only ever sent to those whose turn it was.
 */
function waitsFor(payload: Record<string, unknown>, reader: Reader): boolean {
  if (!Array.isArray(payload.turns)) return true;
  return payload.turns.some(
    (turn: unknown) =>
      typeof turn === 'object' &&
      turn !== null &&
      'party' in turn &&
      'role' in turn &&
      turn.party === reader.party &&
      turn.role === reader.role,
  );
}

/**
 * Pure: the line that says what happened, in the reader's language. A kind this file does not know
 * (another part of the system may notify of new things) still reads sensibly.
 */
export function describeItem(lang: Lang, item: MailItem, reader: Reader): string {
  const title = item.title ?? translate(lang, 'mail.noAgreement');
  const { payload } = item;
  if (item.kind === 'state-changed') {
    const to = String(payload.to ?? '');
    if (payload.event === 'GIVE_NOTICE') return translate(lang, 'mail.line.notice', { title });
    // One party's step inside a stage that waits for both: say who has done it, or the reader is told
    // the same "waits for you" as when the stage opened.
    const progress = `mail.line.progress.${to}`;
    if (payload.from === to && item.byParty && hasMessage(lang, progress)) return translate(lang, progress, { title, party: item.byParty });
    // A state the locales write a line for (waiting for the reader, the stage it entered for anyone
    // else told of it, or a milestone) gets it; any other, the general line.
    const waiting = waitsFor(payload, reader) ? `mail.line.waiting.${to}` : `mail.line.stage.${to}`;
    const line = [waiting, `mail.line.milestone.${to}`].find((key) => hasMessage(lang, key));
    if (line) return translate(lang, line, { title });
    return translate(lang, 'mail.line.state', { title, state: translate(lang, `state.${to}`, { fallback: to }) });
  }
  const date = String(payload.noticeDeadlineOn ?? payload.dueOn ?? '');
  if (item.kind === 'reminder') return translate(lang, 'mail.line.reminder', { title, date });
  if (item.kind === 'overdue') return translate(lang, 'mail.line.overdue', { title, date });
  if (item.kind === 'obligation-due')
    return translate(lang, 'mail.line.obligation', { title, date, text: oneLine(String(payload.text ?? ''), 120) });
  return translate(lang, 'mail.line.other', { title });
}

/** Header values never carry a line break or a control character, whatever a title or a name holds. */
export function oneLine(value: string, max = 200): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this removes
  const flat = value.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * Pure: the mail for one notification, or the daily digest of several, in the reader's language:
 * a subject, a greeting, each notice with the link to its page, and where to change what is mailed.
 */
export function composeMail(input: {
  readonly lang: Lang;
  /** The reader's zone for the digest's times (their choice, else their party's); UTC when not given. */
  readonly timeZone?: string;
  readonly recipientName: string;
  readonly reader: Reader;
  readonly items: readonly MailItem[];
  readonly digest: boolean;
  readonly preferencesLink: string;
}): ComposedMail {
  const { lang, items } = input;
  const lines = items.map((item) => describeItem(lang, item, input.reader));
  const subject = input.digest
    ? translate(lang, 'mail.subject.digest', { count: items.length })
    : (lines[0] ?? translate(lang, 'mail.line.other', { title: '' }));
  const body = items.map((item, index) =>
    [
      input.digest ? `${formatDateTime(lang, item.at, input.timeZone)}: ${lines[index]}` : lines[index],
      translate(lang, 'mail.open', { link: item.link }),
    ].join('\n'),
  );
  const text = [
    translate(lang, 'mail.greeting', { name: oneLine(input.recipientName) }),
    '',
    body.join('\n\n'),
    '',
    '-- ',
    translate(lang, 'mail.footer', { link: input.preferencesLink }),
    '',
  ].join('\n');
  return { subject: oneLine(`Bilateral: ${subject}`, 250), text };
}

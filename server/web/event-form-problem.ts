import { MINIMUM_PASSWORD_LENGTH } from '../auth/passwords.ts';
import { ERROR_TABLE, type DomainError } from '../errors.ts';
import type { Lang } from '../text/languages.ts';
import { formatDate, translate } from './i18n.ts';

/** A link the error summary offers: to the field, to what changed, to a clause. */
export interface ProblemLink {
  readonly text: string;
  readonly href: string;
}

/**
 * A refused action answered on its own form (the GOV.UK pattern): a summary at the top whose lines link
 * to where the problem is, the message beside the field, in the reader's language, and what was typed
 * kept (never the password).
 */
export interface FormProblem {
  readonly status: number;
  readonly summary: readonly { readonly text: string; readonly href?: string; readonly links: readonly ProblemLink[] }[];
  /** The message at each field, by the field's name. */
  readonly fields: Readonly<Record<string, string>>;
  readonly values: Readonly<Record<string, string>>;
}

/** The fields of the event and new-agreement forms, by the name the server's refusals give them, and their element ids. */
const FIELD_IDS: Readonly<Record<string, string>> = {
  languages: 'create-languages',
  basedOn: 'based-on',
  password: 'sign-password',
  code: 'sign-code',
  date: 'event-date',
  comment: 'comment',
  readConfirmed: 'sign-read',
  current: 'current',
  repeat: 'repeat',
  newPassword: 'next',
  pdf: 'pdf',
};

interface EventFormContext {
  readonly agreementId: number;
  readonly expectedVersion: number;
  /** What the person typed that the form shows again. */
  readonly values: Readonly<Record<string, string>>;
  readonly clauseName: (key: string) => string;
}

/** A message at a field, and the summary's line that leads to it. */
function atField(field: string, text: string) {
  return { fields: { [field]: text }, summary: [{ text, href: `#${FIELD_IDS[field] ?? field}`, links: [] }] };
}

/**
 * Pure: how the agreement's event form shows the server's refusal. Each case the person can act on gets
 * its own words; any other refusal its title in the reader's language (the English detail is for the API).
 */
export function eventFormProblem(lang: Lang, error: DomainError, context: EventFormContext): FormProblem {
  const t = (key: string, values?: Record<string, unknown>) => translate(lang, key, values);
  const { extensions } = error;
  const status = ERROR_TABLE[error.code].status;
  const base = { status, values: context.values };
  const field = typeof extensions.field === 'string' ? extensions.field : undefined;
  if (field === 'password') {
    if (error.code === 'MALFORMED_REQUEST') return { ...base, ...atField('password', t('formProblem.passwordMissing')) };
    const left = Number(extensions.attemptsLeft);
    if (left === 0)
      return { ...base, ...atField('password', t('formProblem.passwordLocked', { minutes: extensions.retryInMinutes ?? 15 })) };
    if (Number.isInteger(left)) return { ...base, ...atField('password', t('formProblem.passwordWrong', { left })) };
  }
  if (field === 'code') {
    return { ...base, ...atField('code', t(error.code === 'FORBIDDEN' ? 'formProblem.codeWrong' : 'formProblem.codeMissing')) };
  }
  if (typeof extensions.latest === 'string') {
    const latest = formatDate(lang, extensions.latest);
    const message =
      typeof extensions.earliest === 'string'
        ? t('formProblem.dateBetween', { earliest: formatDate(lang, extensions.earliest), latest })
        : t('formProblem.dateLatest', { latest });
    return { ...base, ...atField('date', message) };
  }
  if (field === 'comment') return { ...base, ...atField('comment', t('formProblem.reasonRequired')) };
  if (field === 'readConfirmed') return { ...base, ...atField('readConfirmed', t('formProblem.readConfirmed')) };
  if (error.code === 'VERSION_CONFLICT') {
    return {
      ...base,
      fields: {},
      summary: [
        {
          text: t('formProblem.stale'),
          links: [
            { text: t('formProblem.whatChanged'), href: `/agreements/${context.agreementId}/compare?from=${context.expectedVersion}` },
          ],
        },
      ],
    };
  }
  if (Array.isArray(extensions.unconfirmed)) {
    return {
      ...base,
      fields: {},
      summary: [{ text: t('formProblem.unconfirmed'), links: unconfirmedLinks(lang, context, extensions.unconfirmed) }],
    };
  }
  return { ...base, fields: {}, summary: [{ text: t(`error.${error.code}`), links: [] }] };
}

/** Each clause with a language not confirmed, once, linked to the clause on the text page, with its languages. */
export function unconfirmedLinks(
  lang: Lang,
  context: Pick<EventFormContext, 'agreementId' | 'clauseName'>,
  problems: readonly unknown[],
): ProblemLink[] {
  const languages = new Map<string, string[]>();
  for (const problem of problems as { clause?: unknown; lang?: unknown }[]) {
    if (typeof problem?.clause !== 'string') continue;
    const list = languages.get(problem.clause) ?? [];
    if (typeof problem.lang === 'string') list.push(translate(lang, `language.${problem.lang}`, { fallback: problem.lang }));
    languages.set(problem.clause, list);
  }
  return [...languages].map(([clause, names]) => ({
    text: `${context.clauseName(clause)} (${names.join(', ')})`,
    href: `/agreements/${context.agreementId}/text#clause-${clause}`,
  }));
}

/** Pure: how the new-agreement form shows the server's refusal, at the field it concerns. */
export function createFormProblem(lang: Lang, error: DomainError, values: Readonly<Record<string, string>>): FormProblem {
  const base = { status: ERROR_TABLE[error.code].status, values };
  const problems = Array.isArray(error.extensions.problems) ? (error.extensions.problems as { field?: unknown }[]) : [];
  const field =
    typeof error.extensions.field === 'string'
      ? error.extensions.field
      : problems.map((problem) => problem.field).find((name) => typeof name === 'string');
  const message = {
    languages: 'formProblem.languages',
    basedOn: 'formProblem.basedOn',
    title: 'formProblem.title',
    kind: 'formProblem.kind',
  }[String(field)];
  if (message) return { ...base, ...atField(String(field), translate(lang, message)) };
  return { ...base, fields: {}, summary: [{ text: translate(lang, `error.${error.code}`), links: [] }] };
}

/** Pure: the account's password form, answered at its field; nothing typed is shown again (they are passwords). Undefined: not the form's to answer. */
export function passwordFormProblem(lang: Lang, error: DomainError): FormProblem | undefined {
  const field = typeof error.extensions.field === 'string' ? error.extensions.field : undefined;
  const base = { status: ERROR_TABLE[error.code].status, values: {} };
  if (field === 'current') return { ...base, ...atField('current', translate(lang, 'formProblem.currentPassword')) };
  if (field === 'repeat') return { ...base, ...atField('repeat', translate(lang, 'formProblem.passwordsDiffer')) };
  // The use-case names the new password "password".
  if (field === 'password')
    return { ...base, ...atField('newPassword', translate(lang, 'formProblem.passwordShort', { min: MINIMUM_PASSWORD_LENGTH })) };
  return undefined;
}

/** Pure: the verify form, answered at its file field (no file, or a file that is not a PDF). */
export function verifyFormProblem(lang: Lang, error: DomainError): FormProblem {
  const base = { status: ERROR_TABLE[error.code].status, values: {} };
  return {
    ...base,
    ...atField('pdf', translate(lang, error.extensions.field === 'pdf' ? 'formProblem.pdfMissing' : 'formProblem.notPdf')),
  };
}

import { FINDING_VALUE_KINDS, type Finding } from '../signing/verification-findings.ts';
import type { Lang } from '../text/languages.ts';
import { formatDateTime, hasMessage, translate } from './i18n.ts';

/**
 * The verification's problems and warnings as the verify page says them: each finding by its code, as
 * verify.message.<code> in the reader's language, its moments in the reader's zone and its parties by
 * the reader's names for them; the API's English sentence is kept for "technical details". A code the
 * locale has no message for (test/web/verify-messages.test.ts says there is none) is said in general
 * words, so a Russian or Korean page never shows an English sentence as the answer.
 */

export interface SaidMessage {
  /** In the reader's language. */
  readonly text: string;
  /** The verification's own words, for "technical details". */
  readonly technical: string;
}

/** Pure: one problem or warning of the verification, in the reader's language and zone. */
export function sayVerifyMessage(
  reader: { readonly lang: Lang; readonly timeZone: string; readonly partyName: (key: string) => string },
  found: Finding,
  kind: 'problem' | 'warning',
): SaidMessage {
  const { lang } = reader;
  const key = `verify.message.${found.code}`;
  if (!hasMessage(lang, key)) return { text: translate(lang, `verify.message.other.${kind}`), technical: found.message };
  const values = Object.fromEntries(
    Object.entries(found.values).map(([name, value]: [string, string]) => {
      const valueKind = FINDING_VALUE_KINDS[name as keyof typeof FINDING_VALUE_KINDS];
      if (valueKind === 'moment') return [name, formatDateTime(lang, value, reader.timeZone)];
      if (valueKind === 'party') return [name, reader.partyName(value)];
      if (valueKind === 'revocationReason')
        return [name, translate(lang, `verify.reason.${value}`, { fallback: translate(lang, 'verify.reason.unspecified') })];
      return [name, value];
    }),
  );
  return { text: translate(lang, key, values), technical: found.message };
}

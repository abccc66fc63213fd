/**
 * An agreement's text as one value: its clauses in order, each language's text with its translation
 * status, and the variables they are filled with. Every change produces a new value (and a new stored
 * version); these functions are pure.
 *
 * Translation parity: each clause has a source hash, the hash of its text in the language last
 * written as the source. Each language records the source hash it renders. Writing a language whose
 * translation is current makes it the new source and sends the others to `needs-review`; writing a
 * language that needs review updates the translation (`translated`), and legal staff confirm it
 * (`confirmed`). Only a text confirmed in every language may be submitted, approved or signed.
 */

import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { AgreementText, ClauseInstance, Lang, TranslationStatus } from '../../db/stored-shapes.ts';

// Stored with every version of the text, so defined with the other stored shapes.
export type { AgreementText, ClauseInstance, ClauseLanguage, TranslationStatus } from '../../db/stored-shapes.ts';

/** Clauses with a fixed place: the title first, the preamble second, the final clause last. */
export const FIXED_CLAUSES = { first: ['title', 'preamble'], last: ['final-clause'] } as const;

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** The hash of a whole text: what an approval is bound to and what the final originals record. */
export function contentHash(text: AgreementText): string {
  return sha256Hex(canonicalize(text)!);
}

function sourceHashOf(lang: Lang, text: string): string {
  return sha256Hex(`${lang}\u0000${text}`);
}

/** A clause whose languages all say the same thing, e.g. fresh from the library. */
export function confirmedClause(
  key: string,
  origin: ClauseInstance['origin'],
  texts: Partial<Record<Lang, string>>,
  sourceLang: Lang,
): ClauseInstance {
  const sourceHash = sourceHashOf(sourceLang, texts[sourceLang] ?? '');
  return {
    key,
    origin,
    sourceHash,
    languages: Object.fromEntries(Object.entries(texts).map(([lang, text]) => [lang, { text, status: 'confirmed', renders: sourceHash }])),
  };
}

/** A clause written fresh in one language; the other languages wait for their translation. */
export function newCustomClause(key: string, lang: Lang, text: string, languages: readonly Lang[]): ClauseInstance {
  const sourceHash = sourceHashOf(lang, text);
  return {
    key,
    origin: 'custom',
    sourceHash,
    languages: Object.fromEntries(
      languages.map((other) => [
        other,
        other === lang ? { text, status: 'confirmed', renders: sourceHash } : { text: '', status: 'needs-review', renders: '' },
      ]),
    ),
  };
}

export type WriteMode = 'source' | 'translation';

/**
 * Writes one language of a clause. As the source (the default when that language is current), the
 * other languages need review; as a translation (the default when it needs review), it renders the
 * current source and awaits confirmation.
 */
export function writeClauseLanguage(clause: ClauseInstance, lang: Lang, text: string, mode?: WriteMode): ClauseInstance {
  const current = clause.languages[lang];
  const asTranslation = mode ? mode === 'translation' : current?.status === 'needs-review';
  if (asTranslation) {
    return { ...clause, languages: { ...clause.languages, [lang]: { text, status: 'translated', renders: clause.sourceHash } } };
  }
  const sourceHash = sourceHashOf(lang, text);
  return {
    ...clause,
    sourceHash,
    languages: Object.fromEntries(
      Object.entries(clause.languages).map(([other, state]) => [
        other,
        other === lang ? { text, status: 'confirmed', renders: sourceHash } : { ...state, status: 'needs-review' },
      ]),
    ),
  };
}

/** Legal staff confirm that a language renders the current source. */
export function confirmClauseLanguage(clause: ClauseInstance, lang: Lang): ClauseInstance {
  const current = clause.languages[lang]!;
  return { ...clause, languages: { ...clause.languages, [lang]: { ...current, status: 'confirmed', renders: clause.sourceHash } } };
}

export interface ParityProblem {
  readonly clause: string;
  readonly lang: Lang;
  readonly status: TranslationStatus;
}

/** Every clause language that is not confirmed against its clause's current source. */
export function parityProblems(text: AgreementText, languages: readonly Lang[]): ParityProblem[] {
  return text.clauses.flatMap((clause) =>
    languages.flatMap((lang) => {
      const state = clause.languages[lang];
      if (state && state.status === 'confirmed' && state.renders === clause.sourceHash) return [];
      return [{ clause: clause.key, lang, status: state?.status ?? 'needs-review' }];
    }),
  );
}

/** The plain per-language texts the renderer needs. */
export function clauseTexts(clause: ClauseInstance): Partial<Record<Lang, string>> {
  return Object.fromEntries(Object.entries(clause.languages).map(([lang, state]) => [lang, state.text]));
}

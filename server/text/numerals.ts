import type { Lang } from './languages.ts';
import { LOCALE } from './languages.ts';

/**
 * A number with its noun, as each language of the library prints it: the one place where a number
 * meets a noun, so «1 год», «2 года», «5 лет», «21 год» (Russian one/few/many, by Intl.PluralRules,
 * in the case the sentence needs), "1 year" / "2 years", "1년" / "6개월". Between the number and the
 * noun stands a no-break space, so a line never ends on the bare number (Korean writes the counter
 * straight after the number).
 */
export const COUNTED_NOUNS = ['year', 'month'] as const;
export type CountedNoun = (typeof COUNTED_NOUNS)[number];

/** The Russian cases the library uses with a number: «действует в течение 5 лет» (gen), «за 6 месяцев» (acc). */
export const RUSSIAN_CASES = ['nom', 'gen', 'dat', 'acc', 'ins', 'pre'] as const;
export type RussianCase = (typeof RUSSIAN_CASES)[number];

type RussianForms = Record<RussianCase, Record<'one' | 'few' | 'many', string>>;

/*
 * After a number the noun agrees with the number's last word: 1, 21, 101 (one) take the singular of the
 * case; 2-4, 22-24 (few) in nom/acc take the genitive singular, in the other cases the plural of the
 * case; 5-20, 25-30 (many) in nom/acc take the genitive plural, in the other cases the plural of the case.
 */
const RUSSIAN: Record<CountedNoun, RussianForms> = {
  year: {
    nom: { one: 'год', few: 'года', many: 'лет' },
    gen: { one: 'года', few: 'лет', many: 'лет' },
    dat: { one: 'году', few: 'годам', many: 'годам' },
    acc: { one: 'год', few: 'года', many: 'лет' },
    ins: { one: 'годом', few: 'годами', many: 'годами' },
    pre: { one: 'годе', few: 'годах', many: 'годах' },
  },
  month: {
    nom: { one: 'месяц', few: 'месяца', many: 'месяцев' },
    gen: { one: 'месяца', few: 'месяцев', many: 'месяцев' },
    dat: { one: 'месяцу', few: 'месяцам', many: 'месяцам' },
    acc: { one: 'месяц', few: 'месяца', many: 'месяцев' },
    ins: { one: 'месяцем', few: 'месяцами', many: 'месяцами' },
    pre: { one: 'месяце', few: 'месяцах', many: 'месяцах' },
  },
};

const ENGLISH: Record<CountedNoun, { one: string; other: string }> = {
  year: { one: 'year', other: 'years' },
  month: { one: 'month', other: 'months' },
};

const KOREAN: Record<CountedNoun, string> = { year: '년', month: '개월' };

const NBSP = '\u00a0';

const russianRules = new Intl.PluralRules(LOCALE.ru);
const englishRules = new Intl.PluralRules(LOCALE.en);

export function isCountedNoun(value: unknown): value is CountedNoun {
  return (COUNTED_NOUNS as readonly unknown[]).includes(value);
}

export function isRussianCase(value: unknown): value is RussianCase {
  return (RUSSIAN_CASES as readonly unknown[]).includes(value);
}

/** "5 лет", "1 year", "5년": `count` a non-negative integer, `grammaticalCase` for Russian only (nominative by default). */
export function countNoun(lang: Lang, count: number, noun: CountedNoun, grammaticalCase: RussianCase = 'nom'): string {
  if (!Number.isSafeInteger(count) || count < 0) throw new Error(`count needs a whole number, not ${count}`);
  if (lang === 'ko') return `${count}${KOREAN[noun]}`;
  if (lang === 'en') return `${count}${NBSP}${ENGLISH[noun][englishRules.select(count) === 'one' ? 'one' : 'other']}`;
  const category = russianRules.select(count);
  const form = category === 'one' ? 'one' : category === 'few' ? 'few' : 'many';
  return `${count}${NBSP}${RUSSIAN[noun][grammaticalCase][form]}`;
}

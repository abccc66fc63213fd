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

/**
 * "5 лет", "1 year", "5년": `count` a non-negative integer, `grammaticalCase` for Russian only
 * (nominative by default). `inWords`: the number in words with the digits after it, as treaty texts
 * write durations, «пяти (5) лет», "five (5) years"; Korean treaty texts write durations in digits
 * ("5년간"), so Korean stays as it is.
 */
export function countNoun(
  lang: Lang,
  count: number,
  noun: CountedNoun,
  grammaticalCase: RussianCase = 'nom',
  { inWords = false }: { readonly inWords?: boolean } = {},
): string {
  if (!Number.isSafeInteger(count) || count < 0) throw new Error(`count needs a whole number, not ${count}`);
  if (lang === 'ko') return `${count}${KOREAN[noun]}`;
  const number = inWords ? `${numberInWords(lang, count, grammaticalCase)}${NBSP}(${count})` : String(count);
  if (lang === 'en') return `${number}${NBSP}${ENGLISH[noun][englishRules.select(count) === 'one' ? 'one' : 'other']}`;
  const category = russianRules.select(count);
  const form = category === 'one' ? 'one' : category === 'few' ? 'few' : 'many';
  return `${number}${NBSP}${RUSSIAN[noun][grammaticalCase][form]}`;
}

/** The largest number written in words: no term or notice period of an agreement comes near it. */
export const LARGEST_IN_WORDS = 999;

const ENGLISH_UNITS = ['', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const ENGLISH_TEENS = ['ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const ENGLISH_TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

/*
 * Russian cardinals of masculine nouns (год, месяц) in each case; the accusative of an inanimate noun is
 * the nominative. Each row: units 1-9, teens 10-19, tens 20-90, hundreds 100-900.
 */
type RussianNumberWords = { units: string[]; teens: string[]; tens: string[]; hundreds: string[] };
const teens = (ending: string) =>
  [
    'десят',
    'одиннадцат',
    'двенадцат',
    'тринадцат',
    'четырнадцат',
    'пятнадцат',
    'шестнадцат',
    'семнадцат',
    'восемнадцат',
    'девятнадцат',
  ].map((stem) => stem + ending);
const RUSSIAN_NOMINATIVE: RussianNumberWords = {
  units: ['', 'один', 'два', 'три', 'четыре', 'пять', 'шесть', 'семь', 'восемь', 'девять'],
  teens: teens('ь'),
  tens: ['', '', 'двадцать', 'тридцать', 'сорок', 'пятьдесят', 'шестьдесят', 'семьдесят', 'восемьдесят', 'девяносто'],
  hundreds: ['', 'сто', 'двести', 'триста', 'четыреста', 'пятьсот', 'шестьсот', 'семьсот', 'восемьсот', 'девятьсот'],
};
const RUSSIAN_GENITIVE: RussianNumberWords = {
  units: ['', 'одного', 'двух', 'трёх', 'четырёх', 'пяти', 'шести', 'семи', 'восьми', 'девяти'],
  teens: teens('и'),
  tens: ['', '', 'двадцати', 'тридцати', 'сорока', 'пятидесяти', 'шестидесяти', 'семидесяти', 'восьмидесяти', 'девяноста'],
  hundreds: ['', 'ста', 'двухсот', 'трёхсот', 'четырёхсот', 'пятисот', 'шестисот', 'семисот', 'восьмисот', 'девятисот'],
};
const RUSSIAN_NUMBER_WORDS: Record<RussianCase, RussianNumberWords> = {
  nom: RUSSIAN_NOMINATIVE,
  acc: RUSSIAN_NOMINATIVE,
  gen: RUSSIAN_GENITIVE,
  dat: {
    units: ['', 'одному', 'двум', 'трём', 'четырём', 'пяти', 'шести', 'семи', 'восьми', 'девяти'],
    teens: teens('и'),
    tens: RUSSIAN_GENITIVE.tens,
    hundreds: ['', 'ста', 'двумстам', 'трёмстам', 'четырёмстам', 'пятистам', 'шестистам', 'семистам', 'восьмистам', 'девятистам'],
  },
  ins: {
    units: ['', 'одним', 'двумя', 'тремя', 'четырьмя', 'пятью', 'шестью', 'семью', 'восемью', 'девятью'],
    teens: teens('ью'),
    tens: ['', '', 'двадцатью', 'тридцатью', 'сорока', 'пятьюдесятью', 'шестьюдесятью', 'семьюдесятью', 'восемьюдесятью', 'девяноста'],
    hundreds: [
      '',
      'ста',
      'двумястами',
      'тремястами',
      'четырьмястами',
      'пятьюстами',
      'шестьюстами',
      'семьюстами',
      'восемьюстами',
      'девятьюстами',
    ],
  },
  pre: {
    units: ['', 'одном', 'двух', 'трёх', 'четырёх', 'пяти', 'шести', 'семи', 'восьми', 'девяти'],
    teens: teens('и'),
    tens: RUSSIAN_GENITIVE.tens,
    hundreds: ['', 'ста', 'двухстах', 'трёхстах', 'четырёхстах', 'пятистах', 'шестистах', 'семистах', 'восьмистах', 'девятистах'],
  },
};

/** "twenty-one", «двадцати одного» (in the case), for 1 to LARGEST_IN_WORDS. */
export function numberInWords(lang: Exclude<Lang, 'ko'>, count: number, grammaticalCase: RussianCase = 'nom'): string {
  if (!Number.isSafeInteger(count) || count < 1 || count > LARGEST_IN_WORDS) {
    throw new Error(`a number in words is a whole number from 1 to ${LARGEST_IN_WORDS}, not ${count}`);
  }
  const hundreds = Math.floor(count / 100);
  const rest = count % 100;
  if (lang === 'en') {
    const belowHundred =
      rest < 10
        ? ENGLISH_UNITS[rest]!
        : rest < 20
          ? ENGLISH_TEENS[rest - 10]!
          : [ENGLISH_TENS[Math.floor(rest / 10)], ENGLISH_UNITS[rest % 10]].filter(Boolean).join('-');
    const hundred = hundreds > 0 ? `${ENGLISH_UNITS[hundreds]} hundred` : '';
    return [hundred, belowHundred].filter(Boolean).join(' and ');
  }
  const words = RUSSIAN_NUMBER_WORDS[grammaticalCase];
  const parts = [words.hundreds[hundreds]];
  if (rest >= 10 && rest < 20) parts.push(words.teens[rest - 10]);
  else parts.push(words.tens[Math.floor(rest / 10)], words.units[rest % 10]);
  return parts.filter(Boolean).join(' ');
}

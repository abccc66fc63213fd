import { LANGUAGES, type Lang } from '../../db/stored-shapes.ts';

// Stored with agreements and users, so defined with the other stored shapes; the text code takes them from here.
export { LANGUAGES, type Lang };

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** BCP 47 locale used for dates, lists and the PDF's /Lang. */
export const LOCALE: Record<Lang, string> = { ru: 'ru-RU', ko: 'ko-KR', en: 'en-GB' };

/**
 * How each language names the languages of the text inside the final clause: Russian needs the
 * prepositional adjective ("на русском и корейском языках"), Korean and English the plain name.
 */
const LANGUAGE_NAMES_IN: Record<Lang, Record<Lang, string>> = {
  ru: { ru: 'русском', ko: 'корейском', en: 'английском' },
  ko: { ru: '러시아어', ko: '한국어', en: '영어' },
  en: { ru: 'Russian', ko: 'Korean', en: 'English' },
};

/** "русском, корейском и английском" / "러시아어, 한국어 및 영어" / "Russian, Korean and English". */
export function languageList(inLang: Lang, languages: readonly Lang[]): string {
  const names = languages.map((lang) => LANGUAGE_NAMES_IN[inLang][lang]);
  if (inLang === 'ko') return joinKorean(names);
  // English treaty style has no serial comma; Intl's en-GB list format agrees.
  return new Intl.ListFormat(LOCALE[inLang], { type: 'conjunction' }).format(names);
}

export function languageName(inLang: Lang, lang: Lang): string {
  return LANGUAGE_NAMES_IN[inLang][lang];
}

/** Korean legal texts join the last item with 및 ("and"), as in "한국어, 러시아어 및 영어". */
function joinKorean(names: readonly string[]): string {
  if (names.length < 2) return names.join('');
  return `${names.slice(0, -1).join(', ')} 및 ${names.at(-1)}`;
}

/**
 * One formatter per language for the process: making an Intl.DateTimeFormat costs about 50 µs, and
 * every clause's context formats the agreement's dates again (a quarter of a Word export's time).
 */
const dateFormats = new Map<Lang, Intl.DateTimeFormat>();
function dateFormat(lang: Lang): Intl.DateTimeFormat {
  let format = dateFormats.get(lang);
  if (format === undefined) {
    format = new Intl.DateTimeFormat(LOCALE[lang], { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
    dateFormats.set(lang, format);
  }
  return format;
}

/** A calendar date (YYYY-MM-DD) as each language writes it in a treaty: "20 июля 2018 г.", "2018년 7월 20일", "20 July 2018". */
export function formatDate(lang: Lang, isoDate: string): string {
  const date = new Date(`${isoDate.slice(0, 10)}T00:00:00Z`);
  const formatted = dateFormat(lang).format(date);
  // "2018 г." must not be split across lines: the abbreviation belongs to its year.
  return lang === 'ru' ? formatted.replace(/ г\.$/, '\u00a0г.') : formatted;
}

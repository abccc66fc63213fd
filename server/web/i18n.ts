import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LANGUAGES, LOCALE, type Lang } from '../text/languages.ts';

/**
 * The interface in Russian, Korean and English: every label comes from templates/locales/<lang>.json
 * (nested objects, read once, flattened to dotted keys). `{name}` in a message is replaced by the
 * value of that name. Dates and numbers are formatted with Intl in the language's locale.
 */
const LOCALES_DIR = new URL('../../templates/locales/', import.meta.url);

export type Messages = ReadonlyMap<string, string>;

let catalogs: ReadonlyMap<Lang, Messages> | undefined;

/** Every language's messages, by dotted key. */
export function messageCatalogs(): ReadonlyMap<Lang, Messages> {
  catalogs ??= new Map(
    LANGUAGES.map((lang) => [lang, flatten(JSON.parse(readFileSync(fileURLToPath(new URL(`${lang}.json`, LOCALES_DIR)), 'utf8')))]),
  );
  return catalogs;
}

function flatten(tree: Record<string, unknown>, prefix = '', into = new Map<string, string>()): Map<string, string> {
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') into.set(path, value);
    else if (value && typeof value === 'object') flatten(value as Record<string, unknown>, path, into);
    else throw new Error(`templates/locales: ${path} is neither a message nor a group`);
  }
  return into;
}

/**
 * The message in the language, with its {placeholders} filled. A missing key shows `values.fallback`
 * when given (names that come from data, such as a custom clause's key), else itself; the i18n test
 * keeps missing keys from shipping.
 */
export function translate(lang: Lang, key: string, values: Readonly<Record<string, unknown>> = {}): string {
  const message = messageCatalogs().get(lang)?.get(key) ?? (values.fallback === undefined ? key : String(values.fallback));
  return message.replace(/\{(\w+)\}/g, (placeholder, name: string) => (name in values ? String(values[name]) : placeholder));
}

/** Whether the language's catalogue has the key: for callers that choose among several possible messages. */
export function hasMessage(lang: Lang, key: string): boolean {
  return messageCatalogs().get(lang)?.has(key) ?? false;
}

/** The zone a time is shown in when neither the user nor the party chose one. */
export const DEFAULT_TIME_ZONE = 'UTC';

/** The zone a reader sees times in: their own choice, else their party's, else UTC. */
export function readerTimeZone(
  user: { readonly timeZone: string | null } | undefined,
  party: { readonly timeZone?: string } | undefined,
): string {
  return user?.timeZone ?? party?.timeZone ?? DEFAULT_TIME_ZONE;
}

/** The calendar day (YYYY-MM-DD) a moment falls on in a zone: a signature at 01:00 in Seoul is signed on that day there, though UTC still says the day before. */
export function calendarDayIn(iso: string, timeZone: string): string {
  // en-CA writes a day as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone }).format(new Date(iso));
}

/** The IANA zones a user or a party may choose (Intl's canonical names, UTC first). */
export function timeZones(): readonly string[] {
  zones ??= [DEFAULT_TIME_ZONE, ...Intl.supportedValuesOf('timeZone').filter((zone) => zone !== DEFAULT_TIME_ZONE)];
  return zones;
}
let zones: readonly string[] | undefined;

/** Whether Intl knows the zone: an IANA name ("Asia/Seoul") or UTC. */
export function isTimeZone(value: unknown): value is string {
  if (typeof value !== 'string' || value === '') return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** "Asia/Seoul (Корея, стандартное время, UTC+9)": a zone as the account page offers it, its offset as of `at`. */
export function describeTimeZone(lang: Lang, timeZone: string, at: Date): string {
  const part = (locale: string, style: 'longGeneric' | 'shortOffset') =>
    new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: style }).formatToParts(at).find((found) => found.type === 'timeZoneName')
      ?.value ?? '';
  const offset = part('en', 'shortOffset').replace(/^GMT/, 'UTC');
  const name = part(LOCALE[lang], 'longGeneric');
  return name && !name.startsWith('GMT') ? `${timeZone} (${name}, ${offset})` : `${timeZone} (${offset})`;
}

/**
 * "28 нояб. 2026 г., 14:00 (UTC+5)" / "2026. 11. 28. 18:00 (UTC+9)" / "28 Nov 2026, 09:00 UTC": a moment in
 * the reader's zone, with the zone's offset from UTC (its name would be English, or an abbreviation).
 */
export function formatDateTime(lang: Lang, iso: string, timeZone: string = DEFAULT_TIME_ZONE): string {
  const moment = new Date(iso);
  const shown = new Intl.DateTimeFormat(LOCALE[lang], { dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23', timeZone }).format(
    moment,
  );
  const offset = new Intl.DateTimeFormat('en', { timeZone, timeZoneName: 'shortOffset' })
    .formatToParts(moment)
    .find((part) => part.type === 'timeZoneName')
    ?.value.replace(/^GMT/, '');
  return offset && offset !== '+0' ? `${shown} (UTC${offset})` : `${shown} UTC`;
}

/** "28 нояб. 2026 г." / "2026. 11. 28." / "28 Nov 2026": a calendar day (YYYY-MM-DD), whatever the time zone. */
export function formatDate(lang: Lang, isoDay: string): string {
  const day = new Date(`${isoDay}T00:00:00Z`);
  return Number.isNaN(day.getTime()) ? isoDay : new Intl.DateTimeFormat(LOCALE[lang], { dateStyle: 'medium', timeZone: 'UTC' }).format(day);
}

export function formatNumber(lang: Lang, value: number): string {
  return new Intl.NumberFormat(LOCALE[lang]).format(value);
}

/** The best of our languages for an Accept-Language header, e.g. "ko-KR,ko;q=0.9,en;q=0.8". */
export function languageFromHeader(header: string | undefined): Lang | undefined {
  const ranked = (header ?? '')
    .split(',')
    .map((part) => {
      const [tag = '', ...parameters] = part.trim().split(';');
      const quality = Number(
        parameters
          .find((parameter) => parameter.trim().startsWith('q='))
          ?.trim()
          .slice(2) ?? 1,
      );
      return { primary: tag.toLowerCase().split('-')[0], quality: Number.isFinite(quality) ? quality : 0 };
    })
    .filter((entry) => entry.quality > 0)
    .sort((a, b) => b.quality - a.quality);
  return ranked.map((entry) => entry.primary).find((primary): primary is Lang => (LANGUAGES as readonly string[]).includes(primary ?? ''));
}

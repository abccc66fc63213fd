import type { z } from 'zod';

/**
 * The longest word agreement text may hold, in characters. The longest real words of the three
 * languages are far shorter (English "pneumonoultramicroscopicsilicovolcanoconiosis", 45; Russian
 * "превысокомногорассмотрительствующий", 35; Korean writes words of a few syllables), while a word
 * wider than a column is cut between characters, a cost that grows with its length: three stored
 * 49,993-letter words held the server for 29.5 s.
 * A "word" is what the line breaker cannot break at a space: a run between spaces, with its
 * punctuation, hyphens and no-break spaces ("торгово-экономического", "2018\u00a0г.").
 * Web and e-mail addresses count by the same rule, because they typeset the same way: 64
 * characters hold any site's address with a path, and a treaty cites documents by title, not by a
 * long query string.
 */
export const MAX_WORD_LENGTH = 64;

/** HTML's whitespace, at which the markup and the line breaker separate words (see markup.ts). */
const WORD_SEPARATORS = /[ \t\n\r\f]+/;

/** The first word of `text` longer than MAX_WORD_LENGTH characters, if any. */
export function overlongWord(text: string): string | undefined {
  // Most texts are shorter than the limit as a whole: nothing to split.
  if (text.length <= MAX_WORD_LENGTH) return undefined;
  return text.split(WORD_SEPARATORS).find((word) => [...word].length > MAX_WORD_LENGTH);
}

/** How a refusal names the word: its beginning and its length, never 50,000 characters of it. */
export function describeOverlongWord(word: string): string {
  return `a word of ${[...word].length} characters ("${[...word].slice(0, 20).join('')}…"), longer than the limit of ${MAX_WORD_LENGTH} characters for one word`;
}

/** The word rule on a schema of printed text: over it, an issue parseBody answers 422 (a rule, not a malformed body). */
export function withRealWords<Schema extends z.ZodType<string>>(schema: Schema): Schema {
  return schema.superRefine((value, context) => {
    const word = overlongWord(value);
    if (word !== undefined)
      context.addIssue({
        code: 'custom',
        message: `contains ${describeOverlongWord(word)}`,
        params: { rule: true, limit: `${MAX_WORD_LENGTH} characters per word` },
      });
  });
}

import { z } from 'zod';
import { TextMeasurer, type FontId } from '../pdf/fonts.ts';

/**
 * Characters no agreement text needs and that can make text read differently from how it is stored:
 * C0/C1 controls other than tab and line breaks, and the bidirectional overrides, embeddings, isolates
 * and marks used to hide text ("Trojan source"). Russian, Korean and English never need them.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this rule's purpose.
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/u;

/** A string of user-written text, refused (naming the character) when it holds a forbidden character. */
export function safeText(maxLength: number) {
  return z
    .string()
    .max(maxLength)
    .superRefine((value, context) => {
      const match = FORBIDDEN.exec(value);
      if (match) {
        refuseCharacter(
          context,
          match[0],
          `the control or direction character ${codePointOf(match[0])}, which agreement texts do not allow`,
        );
      }
    });
}

/** Line breaks and tabs: a name or a title is printed on one line under a signature. */
const LINE_BREAK = /[\t\n\r\u2028\u2029]/u;
const DOCUMENT_FONTS: readonly FontId[] = ['serif', 'serif-bold'];
const measurer = new TextMeasurer();

/**
 * Text people write outside the clause templates: names and titles (single-line), which the PDFs
 * print under a signature, and comments and reasons. safeText's rule, and every character one the
 * documents' fonts can draw: a name is printed in both parties' originals, so a character no font
 * has would stop the other party's drafts from rendering. Clause texts are checked for that as they
 * render, where the clause and the language can be named.
 */
export function userText(maxLength: number, { singleLine }: { singleLine: boolean }) {
  return safeText(maxLength).superRefine((value, context) => {
    // safeText has named the character already.
    if (FORBIDDEN.test(value)) return;
    const lineBreak = singleLine ? LINE_BREAK.exec(value)?.[0] : undefined;
    if (lineBreak !== undefined)
      return refuseCharacter(
        context,
        lineBreak,
        `the line break or tab ${codePointOf(lineBreak)}, which a single-line field does not allow`,
      );
    const [missing] = DOCUMENT_FONTS.flatMap((font) => measurer.missingCharacters(value, font));
    if (missing !== undefined)
      refuseCharacter(context, missing, `the character "${missing}" (${codePointOf(missing)}), which no font of the documents can draw`);
  });
}

const codePointOf = (character: string) => `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** An issue that breaks a rule rather than the body's shape: parseBody answers it 422, naming the character. */
function refuseCharacter(context: z.RefinementCtx<string>, character: string, what: string): void {
  context.addIssue({ code: 'custom', message: `contains ${what}`, params: { rule: true, character, codePoint: codePointOf(character) } });
}

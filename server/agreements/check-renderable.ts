import { RuleViolationError } from '../errors.ts';
import type { AgreementSource } from './agreement-document.ts';
import { buildAgreementDocument } from './agreement-document.ts';
import { assertDrawable, clauseTexts } from '../pdf/render-pdf.ts';
import type { AgreementDocument } from '../pdf/document-model.ts';
import { describeOverlongWord, MAX_WORD_LENGTH, overlongWord } from '../text/word-length.ts';

/**
 * Renders the text of both originals without drawing them, so a template error, a markup outside
 * the subset, a word longer than any real word or a character no font can draw is refused when it
 * is written, not when it is signed.
 */
export function assertRenderable(source: AgreementSource, today: string): void {
  for (const party of source.parties) {
    const document = buildAgreementDocument(source, { original: party.key, date: today, final: false });
    assertRealWords(document);
    assertDrawable(document);
  }
}

/**
 * Words are checked as printed, after the templates ran, because a template can join variables into
 * one word ({{#each areas}}{{this}}{{/each}}). Only the clauses' texts: the signature blocks come from
 * the parties' users, and a clause edit must not be refused for what someone else wrote.
 */
function assertRealWords(document: AgreementDocument): void {
  for (const { clause, lang, text } of clauseTexts(document)) {
    const word = overlongWord(text);
    if (word !== undefined) {
      throw new RuleViolationError(`clause "${clause}" (${lang}): ${describeOverlongWord(word)}`, {
        clause,
        lang,
        limit: `${MAX_WORD_LENGTH} characters per word`,
      });
    }
  }
}

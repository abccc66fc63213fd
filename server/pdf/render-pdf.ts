import { RuleViolationError } from '../errors.ts';
import type { AgreementDocument, PerLanguage } from './document-model.ts';
import { composeAgreement, type SignatureField } from './compose.ts';
import { drawPdf } from './draw.ts';
import { TextMeasurer, type FontId } from './fonts.ts';
import type { Block } from '../text/markup.ts';

const measurer = new TextMeasurer();

export interface RenderedPdf {
  readonly pdf: Buffer;
  /** Where each party signs, for the signature widgets added later. */
  readonly signatureFields: readonly SignatureField[];
}

/** The PDF pipeline: check every character can be drawn, lay out, draw. */
export async function renderAgreementPdf(document: AgreementDocument): Promise<RenderedPdf> {
  assertDrawable(document);
  const layout = composeAgreement(document, measurer);
  return { pdf: await drawPdf(layout, document.metadata), signatureFields: layout.signatureFields };
}

/**
 * Fail loud: a character no font can draw is refused with the character, the clause and the
 * language named, never printed as an empty box or silently dropped.
 */
export function assertDrawable(document: AgreementDocument): void {
  const check = (clause: string, texts: PerLanguage<string | readonly Block[]>, font: FontId = 'serif') => {
    for (const [lang, value] of Object.entries(texts)) {
      const strings = typeof value === 'string' ? [value] : (value ?? []).flatMap((block) => (block.type === 'paragraph' ? [block.text] : block.items));
      for (const text of strings) {
        const [missing] = measurer.missingCharacters(text, font);
        if (missing !== undefined) {
          const codePoint = `U+${missing.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
          throw new RuleViolationError(
            `clause "${clause}" (${lang}): the character "${missing}" (${codePoint}) cannot be drawn by any of the document's fonts`,
            { clause, lang, character: missing, codePoint },
          );
        }
      }
    }
  };
  check('title', document.title, 'serif-bold');
  check('preamble', document.preamble);
  for (const article of document.articles) check(article.key, article.body);
  check('final-clause', document.finalClause);
  if (document.appendix) check('appendix', { en: document.appendix.paragraphs.join(' ') });
  for (const block of document.signatureBlocks) {
    check('signature-block', block.heading);
    check('signature-block', block.signatoryName);
    check('signature-block', block.signatoryTitle);
  }
}

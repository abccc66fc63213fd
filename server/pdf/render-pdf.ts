import { RuleViolationError } from '../errors.ts';
import type { AgreementDocument, PerLanguage } from './document-model.ts';
import { composeAgreement, draftMark, type SignatureField } from './compose.ts';
import { drawPdf, outlineMarkWhile } from './draw.ts';
import { shaperLoaded, shaperReady, TextMeasurer, type FontId } from './fonts.ts';
import { hyphenateWhile } from './hyphenation.ts';
import type { TypesettingReport } from './layout-model.ts';
import { withObjectStreams } from './object-streams.ts';
import { remembersParagraphs } from './typesetter.ts';
import type { Block } from '../text/markup.ts';

const measurer = new TextMeasurer();

export interface RenderedPdf {
  readonly pdf: Buffer;
  /** Where each party signs, for the signature widgets added later. */
  readonly signatureFields: readonly SignatureField[];
  /** What the line breaker resorted to (emergency stretch, Korean words broken between syllables, spaces past the limit): the bench prints it. */
  readonly typesetting: TypesettingReport;
}

/**
 * The PDF pipeline: check every character can be drawn, lay out, draw. A draft is written with object
 * streams and a cross-reference stream (object-streams.ts). A final original is not, here: the
 * frozen original is written again as a whole by signing/sign-pdf.ts (withEmptySignatureFields, which
 * adds the signature fields and then packs it the same way), and object-streams.ts reads pdfkit's
 * classic table.
 */
export async function renderAgreementPdf(document: AgreementDocument): Promise<RenderedPdf> {
  // A fresh process's first document: its words are hyphenated and a draft's mark outlined while
  // HarfBuzz loads, not after. With the stored typesetting cache its paragraphs are broken already:
  // hyphenating their words would only hold up the loading's own turns of the event loop.
  const waiting = () => !shaperLoaded();
  if (waiting() && !remembersParagraphs()) await hyphenateWhile(clauseTexts(document), waiting);
  const mark = draftMark(document);
  if (waiting() && mark !== null) await outlineMarkWhile(mark, waiting);
  await shaperReady();
  assertDrawable(document);
  const layout = composeAgreement(document, measurer);
  const pdf = await drawPdf(layout, document.metadata);
  return { pdf: document.draft ? withObjectStreams(pdf) : pdf, signatureFields: layout.signatureFields, typesetting: layout.typesetting };
}

/**
 * Fail loud: a character no font can draw is refused with the character, the clause and the
 * language named, never printed as an empty box or silently dropped.
 */
export function assertDrawable(document: AgreementDocument): void {
  for (const { clause, lang, text, font } of [...clauseTexts(document), ...signatureBlockTexts(document)]) {
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

/** One run of text the document prints, with the clause and language an error names. */
export interface DocumentText {
  readonly clause: string;
  readonly lang: string;
  readonly text: string;
  readonly font: FontId;
}

/** The texts the clause templates make: title, preamble, articles, final clause (and an appendix). */
export function* clauseTexts(document: AgreementDocument): Generator<DocumentText> {
  yield* textsOf('title', document.title, 'serif-bold');
  yield* textsOf('preamble', document.preamble);
  for (const article of document.articles) yield* textsOf(article.key, article.body);
  yield* textsOf('final-clause', document.finalClause);
  if (document.appendix) yield* textsOf('appendix', { en: document.appendix.paragraphs.join(' ') });
}

/** The texts of the signature blocks, which come from the parties and their signatories, not from the clauses. */
function* signatureBlockTexts(document: AgreementDocument): Generator<DocumentText> {
  for (const block of document.signatureBlocks) {
    yield* textsOf('signature-block', block.heading);
    yield* textsOf('signature-block', block.signatoryName);
    yield* textsOf('signature-block', block.signatoryTitle);
  }
}

function* textsOf(clause: string, texts: PerLanguage<string | readonly Block[]>, font: FontId = 'serif'): Generator<DocumentText> {
  for (const [lang, value] of Object.entries(texts)) {
    const strings =
      typeof value === 'string' ? [value] : (value ?? []).flatMap((block) => (block.type === 'paragraph' ? [block.text] : block.items));
    for (const text of strings) yield { clause, lang, text, font };
  }
}

import { buildAgreementDocument, isBinding, provisionHeading } from '../agreements/agreement-document.ts';
import type { ClauseTextContext } from '../agreements/editable-clauses.ts';
import { UNNUMBERED_CLAUSES } from '../text/clause-library.ts';
import type { Lang } from '../text/languages.ts';
import { clauseUnits, unitMarker, unitText, type ClauseUnits, type DraftUnit } from './draft-units.ts';
import type { WordDraft, WordParagraph, WordRun, WordSection } from './docx-writer.ts';

/** Which original a Word file is, and the date its undated fields are read on. */
export interface WordOriginal {
  readonly original: string;
  readonly date: string;
}

/** Every clause's paragraphs in every language of a version, in the version's clause order. */
export function versionUnits(at: ClauseTextContext, { original }: WordOriginal): ClauseUnits[] {
  return at.source.clauses.flatMap((clause) =>
    at.source.languages.filter((lang) => clause.texts[lang] !== undefined).map((lang) => clauseUnits(at, clause.key, lang, original)),
  );
}

/** A clause's role in the document: where it stands and whether it is a numbered article. */
export function clauseRole(key: string): WordSection['role'] {
  if (key === 'title') return 'title';
  if (key === 'preamble') return 'preamble';
  if (key === 'final-clause') return 'final';
  return UNNUMBERED_CLAUSES.has(key) ? 'preamble' : 'article';
}

/** The paragraphs of a clause's units, each run as `runsOf` makes it (plain text, or a redline's changes). */
export function wordParagraphs(units: ClauseUnits, runsOf: (unit: DraftUnit, position: number) => readonly WordRun[]): WordParagraph[] {
  let instance = 0;
  let lastBlock = -1;
  return units.units.map((unit, position) => {
    if (unit.kind !== 'paragraph' && unit.block !== lastBlock) instance += 1;
    lastBlock = unit.block;
    return {
      marker: unitMarker(units.index, units.lang, position),
      ...(unit.kind !== 'paragraph' && { list: { ordered: unit.ordered, instance: units.index * 100 + instance } }),
      runs: runsOf(unit, position),
    };
  });
}

export const plainRuns = (unit: DraftUnit): WordRun[] => [{ text: unitText(unit) }];

/**
 * The Word file's model of one original of a version: the same order, alternat and signature blocks as
 * the PDF (buildAgreementDocument), the clauses' paragraphs from their editable texts.
 */
export function wordDraftOf(
  at: ClauseTextContext,
  word: WordOriginal,
  layout: 'parallel' | 'sequential',
  options: {
    readonly header: string;
    readonly properties: Readonly<Record<string, string>>;
    readonly sections?: (clause: { key: string; index: number }, lang: Lang) => readonly WordParagraph[];
    readonly revision?: WordDraft['revision'];
  },
): WordDraft {
  // The order of languages and parties, the signature blocks and the title: the other clauses' text is
  // the Word file's own (below), so rendering them for the PDF's model would be thrown away (a quarter of an export).
  const frame = { ...at.source, clauses: at.source.clauses.filter((clause) => clause.key === 'title') };
  const document = buildAgreementDocument(frame, { original: word.original, date: word.date, final: false });
  const binding = isBinding(at.source.kind, at.source.basedOn);
  const sections = at.source.clauses.map((clause, index) => ({
    clauseIndex: index,
    role: clauseRole(clause.key),
    paragraphs: Object.fromEntries(
      document.languages
        .filter((lang) => clause.texts[lang] !== undefined)
        .map((lang) => [
          lang,
          options.sections?.({ key: clause.key, index }, lang) ??
            wordParagraphs(clauseUnits(at, clause.key, lang, word.original), plainRuns),
        ]),
    ),
  }));
  return {
    languages: document.languages,
    layout,
    // provisionHeading writes the number; Word numbering writes it instead, as %1.
    headingFormat: Object.fromEntries(document.languages.map((lang) => [lang, provisionHeading(lang, binding, 1).replace('1', '%1')])),
    sections,
    signatureBlocks: document.signatureBlocks.map((block) =>
      Object.fromEntries(
        document.languages.map((lang) => [
          lang,
          [block.heading[lang] ?? '', block.signatoryTitle[lang] ?? '', block.signatoryName[lang] ?? ''],
        ]),
      ),
    ),
    header: options.header,
    title: document.metadata.title,
    properties: options.properties,
    ...(options.revision && { revision: options.revision }),
  };
}

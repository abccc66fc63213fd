import {
  AlignmentType,
  Bookmark,
  DeletedTextRun,
  Document,
  Header,
  HeadingLevel,
  InsertedTextRun,
  LevelFormat,
  LevelSuffix,
  Packer,
  PageBreak,
  Paragraph,
  type ParagraphChild,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from 'docx';
import { LOCALE, type Lang } from '../text/languages.ts';
import { fixedMarker, unitMarker } from './draft-units.ts';

/**
 * Writes the Word file of an agreement's text with the docx package: Word's own styles (Title,
 * Heading 1, Normal), article headings and lists as Word numbering, every run tagged with its language
 * so Word's proofing and hyphenation work, the serif the PDFs are set in, and a bookmark on every
 * paragraph naming the clause, language and paragraph it came from (Word and LibreOffice keep
 * bookmarks through editing and saving; the import reads them). A redline's runs carry Word's
 * tracked changes.
 */

/** The family the PDFs embed (server/pdf/fonts.ts): Noto Serif KR draws Latin, Cyrillic and Hangul. */
export const DOCUMENT_FONT = 'Noto Serif KR';

export interface WordRun {
  readonly text: string;
  /** A tracked change of a redline, made by `by` (or `WordDraft.revision`). */
  readonly change?: 'insert' | 'delete';
  /** Who made the change and when: the version that introduced it. */
  readonly by?: { readonly author: string; readonly date: string };
}

export interface WordParagraph {
  readonly marker: string;
  /** A list item: which list (Word restarts an ordered list's numbers per instance). */
  readonly list?: { readonly ordered: boolean; readonly instance: number };
  readonly runs: readonly WordRun[];
}

export interface WordSection {
  readonly clauseIndex: number;
  readonly role: 'title' | 'preamble' | 'article' | 'final';
  readonly paragraphs: Partial<Record<Lang, readonly WordParagraph[]>>;
}

export interface WordDraft {
  /** In the original's order: its party's language first. */
  readonly languages: readonly Lang[];
  readonly layout: 'parallel' | 'sequential';
  /** "Статья %1" / "제%1조" / "Article %1" (or the paragraph headings of a non-binding text). */
  readonly headingFormat: Partial<Record<Lang, string>>;
  readonly sections: readonly WordSection[];
  /** Per party, in the original's order: each language's lines (heading, signatory's title and name). */
  readonly signatureBlocks: readonly Partial<Record<Lang, readonly string[]>>[];
  readonly header: string;
  readonly title: string;
  readonly properties: Readonly<Record<string, string>>;
  /** Who made the tracked changes and when (a redline), where a run does not say. */
  readonly revision?: { readonly author: string; readonly date: string };
}

/** A4 less two 2 cm margins, in twentieths of a point. */
const PAGE = { width: 11906, height: 16838, margin: 1134 };
const TEXT_WIDTH = PAGE.width - 2 * PAGE.margin;

/** "Русский", "한국어", "English": each column's heading in its own language. */
function ownLanguageName(lang: Lang): string {
  const name = new Intl.DisplayNames([LOCALE[lang]], { type: 'language' }).of(lang) ?? lang;
  return name.charAt(0).toLocaleUpperCase(LOCALE[lang]) + name.slice(1);
}

const runLanguage = (lang: Lang) => (lang === 'ko' ? { value: LOCALE.ko, eastAsia: LOCALE.ko } : { value: LOCALE[lang] });

export async function writeDocx(draft: WordDraft): Promise<Buffer> {
  let revisionId = 0;
  const run = (lang: Lang, piece: WordRun): ParagraphChild => {
    const options = { text: piece.text, language: runLanguage(lang) };
    const by = piece.by ?? draft.revision;
    if (!piece.change || !by) return new TextRun(options);
    const change = { ...options, id: ++revisionId, author: by.author, date: by.date };
    return piece.change === 'insert' ? new InsertedTextRun(change) : new DeletedTextRun(change);
  };
  const marked = (marker: string, lang: Lang, runs: readonly WordRun[]) => [
    new Bookmark({ id: marker, children: runs.filter((piece) => piece.text !== '').map((piece) => run(lang, piece)) }),
  ];
  let fixed = 0;
  const fixedParagraph = (lang: Lang | undefined, text: string, options: { bold?: boolean; center?: boolean } = {}) =>
    new Paragraph({
      ...(options.center && { alignment: AlignmentType.CENTER }),
      children: [
        new Bookmark({
          id: fixedMarker(fixed++),
          children: [new TextRun({ text, bold: options.bold, ...(lang && { language: runLanguage(lang) }) })],
        }),
      ],
    });

  const sectionParagraphs = (section: WordSection, lang: Lang): Paragraph[] => {
    const paragraphs: Paragraph[] = [];
    if (section.role === 'article') {
      // The heading is Word numbering alone ("Статья 2"): its text is empty, so renumbering is Word's.
      paragraphs.push(
        new Paragraph({
          heading: HeadingLevel.HEADING_1,
          numbering: { reference: `article-${lang}`, level: 0 },
          children: marked(unitMarker(section.clauseIndex, lang, 'h'), lang, []),
        }),
      );
    }
    for (const paragraph of section.paragraphs[lang] ?? []) {
      paragraphs.push(
        new Paragraph({
          ...(section.role === 'title' ? { heading: HeadingLevel.TITLE } : { alignment: AlignmentType.JUSTIFIED }),
          ...(paragraph.list && {
            numbering: { reference: paragraph.list.ordered ? 'ordered' : 'bullet', level: 0, instance: paragraph.list.instance },
          }),
          children: marked(paragraph.marker, lang, paragraph.runs),
        }),
      );
    }
    return paragraphs;
  };

  const signatureCells = (lang?: Lang) =>
    draft.signatureBlocks.map(
      (block) =>
        new TableCell({
          width: { size: Math.floor(TEXT_WIDTH / draft.signatureBlocks.length), type: WidthType.DXA },
          children: (lang ? [lang] : draft.languages).flatMap((language) =>
            (block[language] ?? [])
              .filter((line) => line !== '')
              .map((line, index) => fixedParagraph(language, line, { bold: index === 0 }))
              .concat(fixedParagraph(language, '______________________')),
          ),
        }),
    );
  const signatures = (lang?: Lang) =>
    new Table({
      width: { size: TEXT_WIDTH, type: WidthType.DXA },
      columnWidths: draft.signatureBlocks.map(() => Math.floor(TEXT_WIDTH / draft.signatureBlocks.length)),
      rows: [new TableRow({ cantSplit: true, children: signatureCells(lang) })],
    });

  const body: (Paragraph | Table)[] = [];
  if (draft.layout === 'parallel') {
    const width = { size: Math.floor(TEXT_WIDTH / draft.languages.length), type: WidthType.DXA };
    body.push(
      new Table({
        width: { size: TEXT_WIDTH, type: WidthType.DXA },
        columnWidths: draft.languages.map(() => width.size),
        rows: [
          new TableRow({
            tableHeader: true,
            children: draft.languages.map(
              (lang) => new TableCell({ width, children: [fixedParagraph(lang, ownLanguageName(lang), { bold: true, center: true })] }),
            ),
          }),
          ...draft.sections.map(
            (section) =>
              new TableRow({
                children: draft.languages.map((lang) => new TableCell({ width, children: sectionParagraphs(section, lang) })),
              }),
          ),
        ],
      }),
      new Paragraph({ children: [] }),
      signatures(),
    );
  } else {
    draft.languages.forEach((lang, index) => {
      if (index > 0) body.push(new Paragraph({ children: [new PageBreak()] }));
      for (const section of draft.sections) body.push(...sectionParagraphs(section, lang));
      body.push(new Paragraph({ children: [] }), signatures(lang));
    });
  }

  const font = { ascii: DOCUMENT_FONT, hAnsi: DOCUMENT_FONT, eastAsia: DOCUMENT_FONT, cs: DOCUMENT_FONT };
  const document = new Document({
    title: draft.title,
    creator: 'Bilateral',
    // Justified text in narrow columns needs it; the runs' w:lang pick each language's patterns.
    hyphenation: { autoHyphenation: true },
    customProperties: Object.entries(draft.properties).map(([name, value]) => ({ name, value })),
    styles: {
      default: {
        document: { run: { font, size: 22 }, paragraph: { spacing: { after: 120 } } },
        title: {
          run: { font, size: 28, bold: true, color: '000000' },
          paragraph: { alignment: AlignmentType.CENTER, spacing: { after: 240 } },
        },
        heading1: {
          run: { font, size: 22, bold: true, color: '000000' },
          paragraph: { alignment: AlignmentType.CENTER, spacing: { before: 240, after: 120 } },
        },
      },
    },
    numbering: {
      config: [
        ...draft.languages.map((lang) => ({
          reference: `article-${lang}`,
          levels: [
            {
              level: 0,
              format: LevelFormat.DECIMAL,
              text: draft.headingFormat[lang] ?? '%1',
              alignment: AlignmentType.CENTER,
              suffix: LevelSuffix.NOTHING,
            },
          ],
        })),
        {
          reference: 'bullet',
          levels: [{ level: 0, format: LevelFormat.BULLET, text: '•', style: { paragraph: { indent: { left: 567, hanging: 283 } } } }],
        },
        {
          reference: 'ordered',
          levels: [{ level: 0, format: LevelFormat.DECIMAL, text: '%1)', style: { paragraph: { indent: { left: 567, hanging: 283 } } } }],
        },
      ],
    },
    sections: [
      {
        properties: {
          page: {
            size: { width: PAGE.width, height: PAGE.height },
            margin: { top: PAGE.margin, bottom: PAGE.margin, left: PAGE.margin, right: PAGE.margin },
          },
        },
        headers: {
          default: new Header({ children: [new Paragraph({ alignment: AlignmentType.RIGHT, children: [new TextRun(draft.header)] })] }),
        },
        children: body,
      },
    ],
  });
  return Packer.toBuffer(document);
}

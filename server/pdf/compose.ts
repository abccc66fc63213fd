import { LOCALE, type Lang } from '../text/languages.ts';
import type { AgreementDocument, PerLanguage } from './document-model.ts';
import type { TextMeasurer } from './fonts.ts';
import type { Layout, PositionedBox, SectionStart, SignatureField, StructureElement } from './layout-model.ts';
import { TYPOGRAPHY, Typesetter, type FlowLine, type SigningLine } from './typesetter.ts';

export type { Layout, SignatureField } from './layout-model.ts';

/**
 * The layout stage: a pure function from the document model to pages of positioned boxes. It knows
 * fonts only through the measurer and never touches pdfkit, so tests can assert positions and page
 * counts, and the draw stage only paints what it is given.
 *
 * Parallel layout: one column per language; every section (title, preamble, each article, final
 * clause) starts on the same line in every column; a column that runs past the page continues on the
 * next one, and the next section starts below the longest column.
 * Sequential layout: each language's complete text in one full-width column, each from a new page,
 * in the original's order; the signature blocks follow the last text's final clause.
 * Either way the signature blocks stand side by side, the original's own party on the left.
 */

const POINTS_PER_MM = 72 / 25.4;
const A4: readonly [number, number] = [210 * POINTS_PER_MM, 297 * POINTS_PER_MM];

interface Column {
  readonly x: number;
  readonly width: number;
  readonly lines: readonly FlowLine[];
}

/** A part of one language's text that starts together in every column: title, preamble, an article, the final clause. */
interface Section {
  readonly key: string;
  readonly lines: readonly FlowLine[];
  /**
   * The same lines paragraph by paragraph (a list's items each one, an article's heading with its
   * first paragraph), and block by block: where the languages have as many, the paragraphs start on
   * the same line in every column too (treaty texts align recital by recital).
   */
  readonly paragraphs: readonly (readonly FlowLine[])[];
  readonly blocks: readonly (readonly FlowLine[])[];
}

export function composeAgreement(document: AgreementDocument, measurer: TextMeasurer): Layout {
  const typesetter = new Typesetter(measurer);
  const { languages } = document;
  const sequential = document.layout === 'sequential';
  // Three columns do not fit a portrait page at a readable size: three parallel languages go landscape.
  const pageSize: readonly [number, number] = !sequential && languages.length > 2 ? [A4[1], A4[0]] : A4;
  const flow = new PageFlow(pageSize);
  const { left } = TYPOGRAPHY.margin;
  const { columnGap } = TYPOGRAPHY;
  const columnCount = sequential ? 1 : languages.length;
  const columnWidth = (flow.contentWidth - columnGap * (columnCount - 1)) / columnCount;
  const columnX = (index: number) => left + index * (columnWidth + columnGap);

  // Each language's text is one structure section, whatever the page layout: a screen reader reads
  // the Russian text through, then the Korean, never line by line across the columns.
  const textElements = languages.map((lang) => ({ type: 'Sect' as const, lang: LOCALE[lang], children: [] }));
  const texts = languages.map((lang, index) => sectionsOf(document, lang, columnWidth, typesetter, textElements[index]!));

  const signatureElement: StructureElement = { type: 'Sect', lang: null, children: [] };
  const signingLines: SigningLine[] = [];
  const blockWidth = (flow.contentWidth - columnGap) / 2;
  const blockColumns = document.signatureBlocks.map((block, index) => ({
    x: left + index * (blockWidth + columnGap),
    width: blockWidth,
    lines: typesetter.signatureBlock(block, languages, blockWidth, signatureElement, (line) => signingLines.push(line)),
  }));

  if (sequential) {
    texts.forEach((sections, index) => {
      if (index > 0) flow.breakPage();
      const lang = languages[index]!;
      const isLastText = index === texts.length - 1;
      for (const { key, lines } of isLastText ? sections.slice(0, -1) : sections)
        flow.placeSection(key, lang, [{ x: left, width: columnWidth, lines }]);
      if (isLastText) flow.placeSignaturePage(lang, [{ x: left, width: columnWidth, lines: sections.at(-1)!.lines }], blockColumns);
    });
  } else {
    const columnsOf = (sectionIndex: number): Column[] =>
      texts.map((sections, index) => ({ x: columnX(index), width: columnWidth, lines: sections[sectionIndex]!.lines }));
    const keys = texts[0]!.map((section) => section.key);
    const partsOf = (sectionIndex: number): Column[][] | undefined =>
      alignedParts(texts.map((sections) => sections[sectionIndex]!))?.map((part) =>
        part.map((lines, index) => ({ x: columnX(index), width: columnWidth, lines })),
      );
    keys.slice(0, -1).forEach((key, sectionIndex) => {
      flow.placeParts(key, partsOf(sectionIndex) ?? [columnsOf(sectionIndex)]);
    });
    const last = keys.length - 1;
    flow.placeSignaturePage(null, columnsOf(last), blockColumns, partsOf(last));
  }

  const appendixElement: StructureElement = { type: 'Sect', lang: LOCALE.en, children: [] };
  if (document.appendix) {
    flow.breakPage();
    const { heading, paragraphs } = document.appendix;
    const width = flow.contentWidth;
    flow.placeSection('appendix', null, [
      {
        x: left,
        width,
        lines: [
          ...languages.flatMap((lang) => typesetter.heading(heading[lang] ?? '', lang, width, appendixElement)),
          ...typesetter.blocks(
            paragraphs.map((text) => ({ type: 'paragraph' as const, text })),
            'en',
            width,
            TYPOGRAPHY.paragraphGap,
            appendixElement,
          ),
        ],
      },
    ]);
  }

  const pages = flow.pages;
  const pageCount = Math.max(pages.length, 1);
  // The running header is the same on every page: fitted to the width once.
  const header = typesetter.fitted(
    inOrder(document.languages, document.shortTitle).join('   |   '),
    'serif',
    TYPOGRAPHY.headerSize,
    flow.contentWidth,
  );
  return {
    pageSize,
    pages: Array.from({ length: pageCount }, (_, index) => ({
      boxes: [...furniture(header, typesetter, index, pageCount, pageSize, flow.contentWidth), ...(pages[index] ?? [])],
    })),
    sectionStarts: flow.sectionStarts,
    structure: [...textElements, signatureElement, ...(document.appendix ? [appendixElement] : [])],
    signatureFields: signingLines.map((line) => signatureField(line, pages)),
    watermark: draftMark(document),
    typesetting: typesetter.report,
  };
}

/** The mark across a draft's pages (the draw stage paints it), or null for a final original. */
export function draftMark(document: AgreementDocument): string | null {
  return document.draft ? `DRAFT · ПРОЕКТ · 초안 — v${document.draft.version} · ${document.draft.date}` : null;
}

/** One language's text, section by section; the final clause ("Done at ...") comes last. */
function sectionsOf(document: AgreementDocument, lang: Lang, width: number, typesetter: Typesetter, element: StructureElement): Section[] {
  const { sectionGap, paragraphGap } = TYPOGRAPHY;
  const section = (key: string, heading: readonly FlowLine[], blocks: FlowLine[][][]): Section => {
    const paragraphs = blocks.flat(1);
    const byBlock = blocks.map((block) => block.flat());
    if (heading.length > 0) {
      if (paragraphs.length === 0) paragraphs.push([]);
      if (byBlock.length === 0) byBlock.push([]);
      paragraphs[0] = [...heading, ...paragraphs[0]!];
      byBlock[0] = [...heading, ...byBlock[0]!];
    }
    return { key, lines: byBlock.flat(), paragraphs, blocks: byBlock };
  };
  const { changes } = document;
  return [
    section('title', typesetter.title(document.title[lang] ?? '', lang, width, element, document.titleMarks?.[lang]), []),
    // A redline says what it compares and whose changes are in which colour, before the text.
    ...(changes
      ? [
          section(
            'changes',
            typesetter.heading(changes.heading[lang] ?? '', lang, width, element),
            typesetter.blockParagraphs(changes.lines[lang] ?? [], lang, width, paragraphGap, element),
          ),
        ]
      : []),
    section('preamble', [], typesetter.blockParagraphs(document.preamble[lang] ?? [], lang, width, sectionGap, element)),
    ...document.articles.map((article) =>
      section(
        article.key,
        typesetter.heading(article.heading[lang] ?? '', lang, width, element, article.headingMarks?.[lang]),
        typesetter.blockParagraphs(article.body[lang] ?? [], lang, width, paragraphGap, element),
      ),
    ),
    section('final-clause', [], typesetter.blockParagraphs(document.finalClause[lang] ?? [], lang, width, sectionGap, element)),
  ];
}

/**
 * A section's parts to start together in every column, one array of lines per column each: its
 * paragraphs where every language has as many of them, else its blocks where every language has as
 * many, else null (the section starts together, its paragraphs run on as they fall). Each part's
 * first line gets the widest space above it of all the columns, so the parts' first lines stand level.
 */
function alignedParts(sections: readonly Section[]): FlowLine[][][] | null {
  for (const level of ['paragraphs', 'blocks'] as const) {
    const count = sections[0]![level].length;
    if (count < 2 || sections.some((section) => section[level].length !== count)) continue;
    return Array.from({ length: count }, (_, index) => {
      const part = sections.map((section) => section[level][index]!);
      const spaceBefore = Math.max(...part.map((lines) => lines[0]?.spaceBefore ?? 0));
      return part.map((lines) => (lines.length === 0 ? [] : [{ ...lines[0]!, spaceBefore }, ...lines.slice(1)]));
    });
  }
  return null;
}

interface Cursor {
  readonly page: number;
  readonly y: number;
}

/** Places sections down the pages, column by column, and remembers where each began. */
class PageFlow {
  readonly pages: PositionedBox[][] = [];
  readonly sectionStarts: SectionStart[] = [];
  readonly contentWidth: number;
  private readonly top = TYPOGRAPHY.margin.top;
  private readonly bottom: number;
  private cursor: Cursor = { page: 0, y: TYPOGRAPHY.margin.top };

  constructor(pageSize: readonly [number, number]) {
    this.bottom = pageSize[1] - TYPOGRAPHY.margin.bottom;
    this.contentWidth = pageSize[0] - TYPOGRAPHY.margin.left - TYPOGRAPHY.margin.right;
  }

  breakPage(): void {
    this.cursor = { page: this.cursor.page + 1, y: this.top };
  }

  /**
   * A section starts on the same line in every column: if any column cannot keep its opening lines
   * (a heading with the first lines of its text) on this page, all of them move to the next.
   */
  placeSection(key: string, lang: Lang | null, columns: readonly Column[], startsSection = true): void {
    if (columns.some((column) => !this.fits(firstChunk(column.lines), this.cursor.y))) this.breakPage();
    const start = this.cursor;
    if (startsSection) this.sectionStarts.push({ key, lang, ...start });
    let end = start;
    for (const column of columns) {
      const columnEnd = this.flowColumn(column, start);
      if (columnEnd.page > end.page || (columnEnd.page === end.page && columnEnd.y > end.y)) end = columnEnd;
    }
    this.cursor = end;
  }

  /**
   * A section whose parts (its paragraphs, aligned across the columns) each start on the same line in
   * every column. A part whose last line keeps with the next (a list's lead-in) moves to the next page
   * with the part after it when it would end this page without the first lines of that part.
   */
  placeParts(key: string, parts: readonly (readonly Column[])[]): void {
    parts.forEach((columns, index) => {
      const next = parts[index + 1];
      if (next && columns.some((column) => column.lines.at(-1)?.keepWithNext) && this.cursor.y > this.top) {
        const ends = columns.map((column) => this.placements(column, this.cursor).end);
        const end = ends.reduce((lowest, candidate) => (candidate.page === lowest.page && candidate.y > lowest.y ? candidate : lowest));
        const endsHere = ends.every((candidate) => candidate.page === this.cursor.page);
        if (endsHere && next.some((column) => !this.fits(firstChunk(column.lines), end.y))) this.breakPage();
      }
      this.placeSection(key, null, columns, index === 0);
    });
  }

  /**
   * The signature page: the final clause and the signature blocks kept together on one page, so no
   * signature stands apart from the text it signs. `parts`: the final clause's paragraphs aligned.
   */
  placeSignaturePage(
    lang: Lang | null,
    finalClause: readonly Column[],
    signatureBlocks: readonly Column[],
    parts?: readonly (readonly Column[])[],
  ): void {
    const gap = TYPOGRAPHY.sectionGap * 2;
    const height = (parts ? parts.reduce((sum, part) => sum + tallest(part), 0) : tallest(finalClause)) + gap + tallest(signatureBlocks);
    if (this.cursor.y + height > this.bottom && this.cursor.y > this.top) this.breakPage();
    if (parts) this.placeParts('final-clause', parts);
    else this.placeSection('final-clause', lang, finalClause);
    this.cursor = { ...this.cursor, y: this.cursor.y + gap };
    this.placeSection('signatures', null, signatureBlocks);
  }

  /** Places one column's lines from `start`, breaking pages only where a line allows it. */
  private flowColumn(column: Column, start: Cursor): Cursor {
    const { placed, end } = this.placements(column, start);
    for (const { line, page, y } of placed) (this.pages[page] ??= []).push(...line.paint(column.x, y, column.width));
    return end;
  }

  /** Where each of a column's lines would stand if placed from `start`, and where the column would end. */
  private placements(column: Column, start: Cursor): { placed: { line: FlowLine; page: number; y: number }[]; end: Cursor } {
    let { page, y } = start;
    const placed: { line: FlowLine; page: number; y: number }[] = [];
    for (const chunk of chunks(column.lines)) {
      if (!this.fits(chunk, y) && y > this.top) {
        page += 1;
        y = this.top;
      }
      for (const line of chunk) {
        // A chunk taller than a page (a very long paragraph) breaks wherever it must.
        if (y + line.height > this.bottom && y > this.top) {
          page += 1;
          y = this.top;
        }
        if (y > this.top) y += line.spaceBefore;
        placed.push({ line, page, y });
        y += line.height;
      }
    }
    return { placed, end: { page, y } };
  }

  private fits(chunk: readonly FlowLine[], y: number): boolean {
    const height = chunk.reduce((sum, line, index) => sum + line.height + (index === 0 && y <= this.top ? 0 : line.spaceBefore), 0);
    return y + height <= this.bottom;
  }
}

/** Splits lines into runs that must stay on one page. */
function chunks(lines: readonly FlowLine[]): FlowLine[][] {
  const result: FlowLine[][] = [];
  let current: FlowLine[] = [];
  for (const line of lines) {
    current.push(line);
    if (!line.keepWithNext) {
      result.push(current);
      current = [];
    }
  }
  if (current.length > 0) result.push(current);
  return result;
}

function firstChunk(lines: readonly FlowLine[]): FlowLine[] {
  return chunks(lines)[0] ?? [];
}

function tallest(columns: readonly Column[]): number {
  return Math.max(...columns.map((column) => column.lines.reduce((sum, line) => sum + line.height + line.spaceBefore, 0)));
}

/** Running header (the short title in the original's languages, fitted) and "X / Y" footer: furniture, not text. */
function furniture(
  header: string,
  typesetter: Typesetter,
  index: number,
  pageCount: number,
  pageSize: readonly [number, number],
  contentWidth: number,
): PositionedBox[] {
  const { margin, headerSize } = TYPOGRAPHY;
  return [
    typesetter.centered(margin.left, margin.top - 30, contentWidth, header, 'serif', headerSize, null, null),
    { kind: 'rule', x: margin.left, y: margin.top - 16, width: contentWidth },
    typesetter.centered(
      margin.left,
      pageSize[1] - margin.bottom + 24,
      contentWidth,
      `${index + 1} / ${pageCount}`,
      'serif',
      headerSize + 1,
      null,
      null,
    ),
  ];
}

/** Turns the rule that marks a signing line into the field rectangle above it, on its page. */
function signatureField(line: SigningLine, pages: readonly PositionedBox[][]): SignatureField {
  const page = pages.findIndex((boxes) => boxes.includes(line.marker));
  // The space between the "For ..." lines and the signing line, less a little air on both sides.
  const height = TYPOGRAPHY.signatureLineGap - 6;
  return { party: line.party, page, x: line.marker.x, y: line.marker.y - height - 2, width: line.marker.width, height };
}

/** Text of a per-language record in the document's language order. */
function inOrder<T>(languages: readonly Lang[], values: PerLanguage<T>): T[] {
  return languages.flatMap((lang) => (values[lang] === undefined ? [] : [values[lang]]));
}

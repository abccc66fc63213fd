import type { Block } from '../text/markup.ts';
import type { Lang } from '../text/languages.ts';
import type { AgreementDocument, PerLanguage, SignatureBlock } from './document-model.ts';
import type { FontId, TextMeasurer } from './fonts.ts';

/**
 * The layout stage: a pure function from the document model to pages of positioned boxes. It knows
 * fonts only through the measurer and never touches pdfkit, so tests can assert positions and page
 * counts, and the draw stage only paints what it is given.
 *
 * Parallel layout: one column per language; every section (title, preamble, each article, final
 * clause) starts on the same line in every column; a column that runs past the page continues on the
 * next one, and the next section starts below the longest column.
 */

export interface TextBox {
  readonly kind: 'text';
  readonly x: number;
  /** Top of the line. */
  readonly y: number;
  readonly width: number;
  readonly text: string;
  readonly font: FontId;
  readonly size: number;
  readonly lang: Lang | null;
  /** How the line sits in its box; `x` already includes any centering offset. */
  readonly align: 'left' | 'center' | 'justify';
  /** Extra space per word gap that justifies this line to `width`. */
  readonly wordSpacing: number;
  /** What the box is to a screen reader: a heading, body text, a list item, or page furniture. */
  readonly role: 'title' | 'heading' | 'paragraph' | 'list-item' | 'artifact';
}

export interface RuleBox {
  readonly kind: 'rule';
  readonly x: number;
  readonly y: number;
  readonly width: number;
}

export type PositionedBox = TextBox | RuleBox;

export interface LaidOutPage {
  readonly boxes: readonly PositionedBox[];
}

export interface SignatureField {
  readonly party: string;
  /** Zero-based page index. */
  readonly page: number;
  /** PDF user space from the top-left corner of the page, like every other box. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface Layout {
  readonly pageSize: readonly [width: number, height: number];
  readonly pages: readonly LaidOutPage[];
  /** Where each section begins in each column, for alignment checks. */
  readonly sectionStarts: readonly { readonly key: string; readonly page: number; readonly y: number }[];
  readonly signatureFields: readonly SignatureField[];
  readonly watermark: string | null;
}

const POINTS_PER_MM = 72 / 25.4;
const A4: readonly [number, number] = [210 * POINTS_PER_MM, 297 * POINTS_PER_MM];

export const TYPOGRAPHY = {
  bodySize: 10,
  bodyLeading: 14.5,
  titleSize: 12,
  titleLeading: 17,
  headerSize: 7.5,
  paragraphGap: 5,
  sectionGap: 12,
  listIndent: 14,
  columnGap: 18,
  margin: { top: 64, bottom: 64, left: 54, right: 54 },
  signatureLineGap: 48,
} as const;

/** One line of one column: its height, how it paints at a given position, and whether it may end a page. */
interface FlowLine {
  readonly height: number;
  /** Space above the line, dropped when the line opens a page. */
  readonly spaceBefore: number;
  /** A page may not break right after this line (headings, orphans and widows). */
  readonly keepWithNext: boolean;
  readonly paint: (x: number, y: number, width: number) => PositionedBox[];
}

interface Column {
  readonly x: number;
  readonly width: number;
  readonly lines: readonly FlowLine[];
}

interface Cursor {
  readonly page: number;
  readonly y: number;
}

export function composeAgreement(document: AgreementDocument, measurer: TextMeasurer): Layout {
  // Three columns do not fit a portrait page at a readable size: three languages go landscape.
  const pageSize: readonly [number, number] = document.languages.length > 2 ? [A4[1], A4[0]] : A4;
  const { margin } = TYPOGRAPHY;
  const top = margin.top;
  const bottom = pageSize[1] - margin.bottom;
  const contentWidth = pageSize[0] - margin.left - margin.right;
  const pages: PositionedBox[][] = [];
  const sectionStarts: { key: string; page: number; y: number }[] = [];
  const setter = new LineSetter(measurer);

  const columnsFor = (linesOf: (lang: Lang, width: number) => FlowLine[]): Column[] => {
    const count = document.languages.length;
    const width = (contentWidth - TYPOGRAPHY.columnGap * (count - 1)) / count;
    return document.languages.map((lang, index) => ({
      x: margin.left + index * (width + TYPOGRAPHY.columnGap),
      width,
      lines: linesOf(lang, width),
    }));
  };

  const placeSection = (key: string, columns: readonly Column[], at: Cursor): Cursor => {
    // A section starts on the same line in every column: if any column cannot keep its opening lines
    // (a heading with the first lines of its text) on this page, all of them move to the next.
    const start = columns.some((column) => !fitsAt(firstChunk(column.lines), at.y, top, bottom))
      ? { page: at.page + 1, y: top }
      : at;
    sectionStarts.push({ key, ...start });
    let end = start;
    for (const column of columns) {
      const columnEnd = flowColumn(column, start, { top, bottom }, pages);
      if (columnEnd.page > end.page || (columnEnd.page === end.page && columnEnd.y > end.y)) end = columnEnd;
    }
    return end;
  };

  let cursor: Cursor = { page: 0, y: top };
  cursor = placeSection(
    'title',
    columnsFor((lang, width) => setter.title(document.title[lang] ?? '', lang, width)),
    cursor,
  );
  cursor = placeSection(
    'preamble',
    columnsFor((lang, width) => setter.blocks(document.preamble[lang] ?? [], lang, width, TYPOGRAPHY.sectionGap)),
    cursor,
  );
  for (const article of document.articles) {
    cursor = placeSection(
      article.key,
      columnsFor((lang, width) => [
        setter.heading(article.heading[lang] ?? '', lang, width),
        ...setter.blocks(article.body[lang] ?? [], lang, width, TYPOGRAPHY.paragraphGap),
      ]),
      cursor,
    );
  }
  // The signature page: the final clause ("Done at ...") and the signature blocks side by side, the
  // original's own party on the left, kept together on one page so no signature stands apart from the text.
  const finalColumns = columnsFor((lang, width) =>
    setter.blocks(document.finalClause[lang] ?? [], lang, width, TYPOGRAPHY.sectionGap),
  );
  const pendingFields: PendingField[] = [];
  const blockWidth = (contentWidth - TYPOGRAPHY.columnGap) / 2;
  const blockColumns = document.signatureBlocks.map((block, index) => ({
    x: margin.left + index * (blockWidth + TYPOGRAPHY.columnGap),
    width: blockWidth,
    lines: setter.signatureBlock(block, document.languages, blockWidth, (field) => pendingFields.push(field)),
  }));
  const signaturePageHeight =
    Math.max(...finalColumns.map((column) => totalHeight(column.lines))) +
    TYPOGRAPHY.sectionGap * 2 +
    Math.max(...blockColumns.map((column) => totalHeight(column.lines)));
  if (cursor.y + signaturePageHeight > bottom && cursor.y > top) cursor = { page: cursor.page + 1, y: top };
  cursor = placeSection('final-clause', finalColumns, cursor);
  placeSection('signatures', blockColumns, { ...cursor, y: cursor.y + TYPOGRAPHY.sectionGap * 2 });

  const pageCount = Math.max(pages.length, 1);
  const laidOut = Array.from({ length: pageCount }, (_, index) => ({
    boxes: [
      ...furniture(document, setter, index, pageCount, pageSize, contentWidth),
      ...(pages[index] ?? []),
    ],
  }));
  return {
    pageSize,
    pages: laidOut,
    sectionStarts,
    signatureFields: pendingFields.map((field) => resolveField(field, pages)),
    watermark: document.draft ? `DRAFT · ПРОЕКТ · 초안 — v${document.draft.version} · ${document.draft.date}` : null,
  };
}

/** Places one column's lines from `start`, breaking pages only where a line allows it. */
function flowColumn(
  column: Column,
  start: Cursor,
  frame: { top: number; bottom: number },
  pages: PositionedBox[][],
): Cursor {
  let { page, y } = start;
  for (const chunk of chunks(column.lines)) {
    if (!fitsAt(chunk, y, frame.top, frame.bottom) && y > frame.top) {
      page += 1;
      y = frame.top;
    }
    for (const line of chunk) {
      // A chunk taller than a page (a very long paragraph) breaks wherever it must.
      if (y + line.height > frame.bottom && y > frame.top) {
        page += 1;
        y = frame.top;
      }
      if (y > frame.top) y += line.spaceBefore;
      (pages[page] ??= []).push(...line.paint(column.x, y, column.width));
      y += line.height;
    }
  }
  return { page, y };
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

function fitsAt(chunk: readonly FlowLine[], y: number, top: number, bottom: number): boolean {
  const height = chunk.reduce((sum, line, index) => sum + line.height + (index === 0 && y <= top ? 0 : line.spaceBefore), 0);
  return y + height <= bottom;
}

function totalHeight(lines: readonly FlowLine[]): number {
  return lines.reduce((sum, line) => sum + line.height + line.spaceBefore, 0);
}

/** Running header (the short title in the original's languages), page number, both as artifacts. */
function furniture(
  document: AgreementDocument,
  setter: LineSetter,
  index: number,
  pageCount: number,
  pageSize: readonly [number, number],
  contentWidth: number,
): PositionedBox[] {
  const { margin, headerSize } = TYPOGRAPHY;
  const header = document.languages.map((lang) => document.shortTitle[lang] ?? '').join('   |   ');
  return [
    ...setter
      .fitted(header, 'serif', headerSize, contentWidth)
      .map((text) => setter.centered(margin.left, margin.top - 30, contentWidth, text, 'serif', headerSize, null, 'artifact')),
    { kind: 'rule', x: margin.left, y: margin.top - 16, width: contentWidth },
    setter.centered(margin.left, pageSize[1] - margin.bottom + 24, contentWidth, `${index + 1} / ${pageCount}`, 'serif', headerSize + 1, null, 'artifact'),
  ];
}

interface PendingField {
  readonly party: string;
  readonly marker: RuleBox;
}

/** Turns the rule that marks a signature line into the field rectangle above it, on its page. */
function resolveField(field: PendingField, pages: readonly PositionedBox[][]): SignatureField {
  const page = pages.findIndex((boxes) => boxes.includes(field.marker));
  // The space between the "For ..." lines and the signing line, less a little air on both sides.
  const height = TYPOGRAPHY.signatureLineGap - 6;
  return { party: field.party, page, x: field.marker.x, y: field.marker.y - height - 2, width: field.marker.width, height };
}

/** Breaks text into lines and turns blocks into flow lines: the typesetting rules live here. */
class LineSetter {
  constructor(private readonly measurer: TextMeasurer) {}

  title(text: string, lang: Lang, width: number): FlowLine[] {
    const lines = this.breakLines(text, 'serif-bold', TYPOGRAPHY.titleSize, width, lang);
    return lines.map((line, index) => ({
      height: TYPOGRAPHY.titleLeading,
      spaceBefore: 0,
      keepWithNext: index < lines.length - 1,
      paint: (x, y, columnWidth) => [this.centered(x, y, columnWidth, line, 'serif-bold', TYPOGRAPHY.titleSize, lang, 'title')],
    }));
  }

  heading(text: string, lang: Lang, width: number): FlowLine {
    const [line = ''] = this.breakLines(text, 'serif-bold', TYPOGRAPHY.bodySize, width, lang);
    return {
      height: TYPOGRAPHY.bodyLeading + 2,
      spaceBefore: TYPOGRAPHY.sectionGap,
      keepWithNext: true,
      paint: (x, y, columnWidth) => [this.centered(x, y, columnWidth, line, 'serif-bold', TYPOGRAPHY.bodySize, lang, 'heading')],
    };
  }

  blocks(blocks: readonly Block[], lang: Lang, width: number, firstGap: number): FlowLine[] {
    return blocks.flatMap((block, index) => {
      const gap = index === 0 ? firstGap : TYPOGRAPHY.paragraphGap;
      if (block.type === 'paragraph') return this.paragraph(block.text, lang, width, 0, gap, 'paragraph');
      return block.items.flatMap((item, itemIndex) =>
        this.paragraph(item, lang, width, TYPOGRAPHY.listIndent, itemIndex === 0 ? gap : 2, 'list-item', {
          marker: block.ordered ? `${itemIndex + 1})` : '–',
        }),
      );
    });
  }

  signatureBlock(
    block: SignatureBlock,
    languages: readonly Lang[],
    width: number,
    onField: (field: PendingField) => void,
  ): FlowLine[] {
    const lines: FlowLine[] = [];
    for (const lang of languages) {
      lines.push(...this.paragraph(block.heading[lang] ?? '', lang, width, 0, 2, 'paragraph', { keepAll: true }));
    }
    lines.push({
      height: TYPOGRAPHY.signatureLineGap + 4,
      spaceBefore: 0,
      keepWithNext: true,
      paint: (x, y, columnWidth) => {
        const marker: RuleBox = { kind: 'rule', x, y: y + TYPOGRAPHY.signatureLineGap, width: columnWidth * 0.8 };
        onField({ party: block.party, marker });
        return [marker];
      },
    });
    for (const lang of languages) {
      const name = block.signatoryName[lang];
      const title = block.signatoryTitle[lang];
      if (name) lines.push(...this.paragraph(name, lang, width, 0, 2, 'paragraph', { keepAll: true }));
      if (title) lines.push(...this.paragraph(title, lang, width, 0, 0, 'paragraph', { keepAll: true }));
    }
    return lines;
  }

  centered(x: number, y: number, width: number, text: string, font: FontId, size: number, lang: Lang | null, role: TextBox['role']): TextBox {
    const offset = Math.max(0, (width - this.measurer.width(text, font, size)) / 2);
    return textBox(x + offset, y, width - offset, text, font, size, lang, 'center', 0, role);
  }

  /** Lines of a single run of text, for furniture: it never wraps past one line's worth of page. */
  fitted(text: string, font: FontId, size: number, width: number): string[] {
    return this.breakLines(text, font, size, width, null).slice(0, 1);
  }

  private paragraph(
    text: string,
    lang: Lang,
    width: number,
    indent: number,
    spaceBefore: number,
    role: 'paragraph' | 'list-item',
    options: { marker?: string; keepAll?: boolean } = {},
  ): FlowLine[] {
    const size = TYPOGRAPHY.bodySize;
    const lines = this.breakLines(text, 'serif', size, width - indent, lang);
    const count = lines.length;
    return lines.map((line, index) => {
      const isLast = index === count - 1;
      const wordSpacing = isLast || options.keepAll ? 0 : this.justification(line, size, width - indent);
      return {
        height: TYPOGRAPHY.bodyLeading,
        spaceBefore: index === 0 ? spaceBefore : 0,
        // Keep a paragraph's first two and last two lines together: no orphans, no widows.
        keepWithNext: !isLast && (options.keepAll === true || index === 0 || index === count - 2),
        paint: (x, y, columnWidth) => {
          const boxes: PositionedBox[] = [];
          if (index === 0 && options.marker) {
            boxes.push(textBox(x, y, indent, options.marker, 'serif', size, lang, 'left', 0, role));
          }
          boxes.push(
            textBox(x + indent, y, columnWidth - indent, line, 'serif', size, lang, isLast || wordSpacing === 0 ? 'left' : 'justify', wordSpacing, role),
          );
          return boxes;
        },
      };
    });
  }

  /** The extra space per word gap that makes a line fill the column; none for a line of one word. */
  private justification(line: string, size: number, width: number): number {
    const gaps = line.split(' ').length - 1;
    if (gaps === 0) return 0;
    return Math.max(0, (width - this.measurer.width(line, 'serif', size)) / gaps);
  }

  /**
   * Greedy line breaking at spaces. Korean breaks between words only (keep-all), as Korean official
   * documents do; a word wider than the column, in any language, is broken between characters.
   */
  breakLines(text: string, font: FontId, size: number, width: number, lang: Lang | null): string[] {
    const lines: string[] = [];
    let current = '';
    for (const word of text.split(' ').filter((part) => part !== '')) {
      const candidate = current === '' ? word : `${current} ${word}`;
      if (this.measurer.width(candidate, font, size) <= width) {
        current = candidate;
        continue;
      }
      if (current !== '') lines.push(current);
      current = word;
      while (this.measurer.width(current, font, size) > width) {
        const [head, tail] = this.splitWord(current, font, size, width, lang);
        lines.push(head);
        current = tail;
      }
    }
    if (current !== '') lines.push(current);
    return lines;
  }

  private splitWord(word: string, font: FontId, size: number, width: number, lang: Lang | null): [string, string] {
    const segmenter = new Intl.Segmenter(lang ?? undefined, { granularity: 'grapheme' });
    let head = '';
    for (const { segment } of segmenter.segment(word)) {
      if (head !== '' && this.measurer.width(head + segment, font, size) > width) break;
      head += segment;
    }
    return [head, word.slice(head.length)];
  }
}

function textBox(
  x: number,
  y: number,
  width: number,
  text: string,
  font: FontId,
  size: number,
  lang: Lang | null,
  align: TextBox['align'],
  wordSpacing: number,
  role: TextBox['role'],
): TextBox {
  return { kind: 'text', x, y, width, text, font, size, lang, align, wordSpacing, role };
}

/** Text of a per-language record in the document's language order, for metadata. */
export function inOrder<T>(languages: readonly Lang[], values: PerLanguage<T>): T[] {
  return languages.flatMap((lang) => (values[lang] === undefined ? [] : [values[lang]]));
}

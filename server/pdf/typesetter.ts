import { LOCALE, type Lang } from '../text/languages.ts';
import type { ChangeMark, MarkedBlock, SignatureBlock } from './document-model.ts';
import type { FontId, TextMeasurer } from './fonts.ts';
import type { PositionedBox, RuleBox, StructureElement, StructureType, TextBox, TypesettingReport } from './layout-model.ts';
import { JUSTIFICATION, setParagraph, type SetLine, type SetParagraph } from './line-breaking.ts';

/**
 * Turns text into flow lines: where lines break, how they are aligned, which lines must stay
 * together on a page, and which structure element each line belongs to. Where the lines go is the
 * composer's business (compose.ts).
 */

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
  /** The widest a justified word space may open, in em (see line-breaking.ts). */
  maxWordSpace: JUSTIFICATION.maxWordSpace,
  /** A redline's marks: the underline below the baseline and the strike above it, in em; their thickness in points. */
  underline: 0.14,
  strike: 0.28,
  markThickness: 0.7,
} as const;

/**
 * A redline's revisions, one colour each (as Word colours each author's changes), dark enough to read
 * as text and apart from each other in print and for the common colour blindnesses (Okabe and Ito).
 */
export const REVISION_COLORS = ['#0057a8', '#c0392b', '#00796b', '#8e44ad', '#a85d00', '#2c3e50'] as const;
export const revisionColor = (revision: number) => REVISION_COLORS[revision % REVISION_COLORS.length]!;

/** One line of one column: its height, how it paints at a given position, and whether it may end a page. */
export interface FlowLine {
  readonly height: number;
  /** Space above the line, dropped when the line opens a page. */
  readonly spaceBefore: number;
  /** A page may not break right after this line (headings, orphans and widows). */
  readonly keepWithNext: boolean;
  readonly paint: (x: number, y: number, width: number) => PositionedBox[];
}

/** Where a signing line was painted, to become the party's signature field. */
export interface SigningLine {
  readonly party: string;
  readonly marker: RuleBox;
}

interface ParagraphStyle {
  readonly indent: number;
  readonly spaceBefore: number;
  /** Body text is justified and hyphenated; signature blocks are ragged and kept on one page. */
  readonly justified: boolean;
  /** The list item's label ("1)", "–"), set in the indent of the first line. */
  readonly label?: { readonly text: string; readonly element: StructureElement };
  /** A redline's inserted and deleted stretches of the text. */
  readonly marks?: readonly ChangeMark[];
}

const MAX_REMEMBERED_PARAGRAPHS = 20_000;
/**
 * Lines of paragraphs already broken, for the life of the process. Breaking by total fit is the
 * layout's main cost, and the same paragraphs are set again and again at the same width: in both
 * originals of an agreement, in each version that leaves them unchanged. Every measurer measures
 * with the process's fonts, so the lines depend on nothing but the key.
 */
const brokenParagraphs = new Map<string, SetParagraph>();

/** Whether any paragraph is remembered broken: none before a process's first document, unless the stored typesetting cache gave them. */
export function remembersParagraphs(): boolean {
  return brokenParagraphs.size > 0;
}

/** The paragraphs broken so far, to store (typesetting-cache.ts); and stored ones taken back. */
export function brokenParagraphsMemo(): [string, SetParagraph][] {
  return [...brokenParagraphs];
}
export function restoreBrokenParagraphs(entries: readonly [string, SetParagraph][]): void {
  for (const [key, paragraph] of entries) if (brokenParagraphs.size < MAX_REMEMBERED_PARAGRAPHS) brokenParagraphs.set(key, paragraph);
}

export class Typesetter {
  private emergencyParagraphs = 0;
  private syllableBreaks = 0;
  private overLimitLines = 0;

  constructor(private readonly measurer: TextMeasurer) {}

  /** What the breaker resorted to in the paragraphs set so far. */
  get report(): TypesettingReport {
    const { emergencyParagraphs, syllableBreaks, overLimitLines } = this;
    return { emergencyParagraphs, syllableBreaks, overLimitLines };
  }

  title(text: string, lang: Lang, width: number, parent: StructureElement, marks: readonly ChangeMark[] = []): FlowLine[] {
    const element = child(parent, 'H1');
    const lines = this.breakLines(text, 'serif-bold', TYPOGRAPHY.titleSize, width, lang, false);
    const starts = lineStarts(text, lines);
    return lines.map(({ text: line }, index) => ({
      height: TYPOGRAPHY.titleLeading,
      spaceBefore: 0,
      keepWithNext: index < lines.length - 1,
      paint: (x, y, columnWidth) =>
        this.marked(this.centered(x, y, columnWidth, line, 'serif-bold', TYPOGRAPHY.titleSize, lang, element), starts[index]!, marks),
    }));
  }

  heading(text: string, lang: Lang, width: number, parent: StructureElement, marks: readonly ChangeMark[] = []): FlowLine[] {
    const element = child(parent, 'H2');
    const lines = this.breakLines(text, 'serif-bold', TYPOGRAPHY.bodySize, width, lang, false);
    const starts = lineStarts(text, lines);
    return lines.map(({ text: line }, index) => ({
      height: TYPOGRAPHY.bodyLeading + 2,
      spaceBefore: index === 0 ? TYPOGRAPHY.sectionGap : 0,
      keepWithNext: true,
      paint: (x, y, columnWidth) =>
        this.marked(this.centered(x, y, columnWidth, line, 'serif-bold', TYPOGRAPHY.bodySize, lang, element), starts[index]!, marks),
    }));
  }

  blocks(blocks: readonly MarkedBlock[], lang: Lang, width: number, firstGap: number, parent: StructureElement): FlowLine[] {
    return this.blockParagraphs(blocks, lang, width, firstGap, parent).flat(2);
  }

  /**
   * The blocks' lines, block by block and, within a block, paragraph by paragraph (a list's items
   * each on their own): what the composer aligns across the columns when the languages have as many.
   */
  blockParagraphs(blocks: readonly MarkedBlock[], lang: Lang, width: number, firstGap: number, parent: StructureElement): FlowLine[][][] {
    const set = blocks.map((block, index) => {
      const spaceBefore = index === 0 ? firstGap : TYPOGRAPHY.paragraphGap;
      if (block.type === 'paragraph') {
        return [
          this.paragraph(block.text, lang, width, child(parent, 'P'), {
            indent: 0,
            spaceBefore,
            justified: block.ragged !== true,
            ...(block.marks && { marks: block.marks }),
          }),
        ];
      }
      const list = child(parent, 'L');
      return block.items.map((item, itemIndex) => {
        const listItem = child(list, 'LI');
        const label = { text: block.ordered ? `${itemIndex + 1})` : '–', element: child(listItem, 'Lbl') };
        const marks = block.itemMarks?.[itemIndex];
        const style = {
          indent: TYPOGRAPHY.listIndent,
          spaceBefore: itemIndex === 0 ? spaceBefore : 2,
          justified: true,
          label,
          ...(marks && { marks }),
        };
        return this.paragraph(item, lang, width, child(listItem, 'LBody'), style);
      });
    });
    // A paragraph that leads into a list ("in the following areas:") never ends a page without the list's first item.
    return set.map((paragraphs, index) => {
      const leadIn = paragraphs.at(-1);
      if (blocks[index + 1]?.type !== 'list' || !leadIn || leadIn.length === 0) return paragraphs;
      return [...paragraphs.slice(0, -1), [...leadIn.slice(0, -1), { ...leadIn.at(-1)!, keepWithNext: true }]];
    });
  }

  /** "For ..." in every language, the signing line, then the signatory's name and title in every language. */
  signatureBlock(
    block: SignatureBlock,
    languages: readonly Lang[],
    width: number,
    parent: StructureElement,
    onSigningLine: (line: SigningLine) => void,
  ): FlowLine[] {
    const element = child(parent, 'Div');
    const ragged = (text: string, lang: Lang, spaceBefore: number) =>
      text === '' ? [] : this.paragraph(text, lang, width, child(element, 'P', LOCALE[lang]), { indent: 0, spaceBefore, justified: false });
    const lines = languages.flatMap((lang) => ragged(block.heading[lang] ?? '', lang, 2));
    lines.push({
      height: TYPOGRAPHY.signatureLineGap + 4,
      spaceBefore: 0,
      keepWithNext: true,
      paint: (x, y, columnWidth) => {
        const marker: RuleBox = { kind: 'rule', x, y: y + TYPOGRAPHY.signatureLineGap, width: columnWidth * 0.8 };
        onSigningLine({ party: block.party, marker });
        return [marker];
      },
    });
    for (const lang of languages) {
      lines.push(...ragged(block.signatoryName[lang] ?? '', lang, 2), ...ragged(block.signatoryTitle[lang] ?? '', lang, 0));
    }
    return lines;
  }

  centered(
    x: number,
    y: number,
    width: number,
    text: string,
    font: FontId,
    size: number,
    lang: Lang | null,
    element: StructureElement | null,
  ): TextBox {
    const offset = Math.max(0, (width - this.measurer.width(text, font, size)) / 2);
    return {
      kind: 'text',
      x: x + offset,
      y,
      width: width - offset,
      text,
      font,
      size,
      lang,
      align: 'center',
      wordSpacing: 0,
      letterSpacing: 0,
      element,
    };
  }

  /** As many words of a run of page furniture as fit on one line: it never wraps. */
  fitted(text: string, font: FontId, size: number, width: number): string {
    // Its words shaped together, not each alone as it is first measured.
    this.measurer.prepare([text], font);
    let line = '';
    for (const word of text.split(' ')) {
      const candidate = line === '' ? word : `${line} ${word}`;
      if (this.measurer.width(candidate, font, size) > width) break;
      line = candidate;
    }
    return line;
  }

  private paragraph(text: string, lang: Lang, width: number, element: StructureElement, style: ParagraphStyle): FlowLine[] {
    const size = TYPOGRAPHY.bodySize;
    const textWidth = width - style.indent;
    const lines = this.breakLines(text, 'serif', size, textWidth, lang, style.justified);
    const starts = style.marks ? lineStarts(text, lines) : [];
    return lines.map(({ text: line, wordSpacing, letterSpacing, hang }, index) => {
      const isLast = index === lines.length - 1;
      // A line cannot end with a hard hyphen (see hyphenation.ts), so a final hyphen is hyphenation.
      const hyphenated = line.endsWith('-');
      return {
        height: TYPOGRAPHY.bodyLeading,
        spaceBefore: index === 0 ? style.spaceBefore : 0,
        // Keep a paragraph's first two and last two lines together (no orphans, no widows), never
        // carry half a hyphenated word over to the next page, and keep a signature block together.
        keepWithNext: !isLast && (!style.justified || hyphenated || index === 0 || index === lines.length - 2),
        paint: (x, y, columnWidth) => {
          const boxes: PositionedBox[] = [];
          if (index === 0 && style.label) {
            const { text: label, element: labelElement } = style.label;
            boxes.push({
              kind: 'text',
              x,
              y,
              width: style.indent,
              text: label,
              font: 'serif',
              size,
              lang,
              align: 'left',
              wordSpacing: 0,
              letterSpacing: 0,
              element: labelElement,
            });
          }
          const align = wordSpacing === 0 && letterSpacing === 0 ? 'left' : 'justify';
          const box: TextBox = {
            kind: 'text',
            x: x + style.indent,
            y,
            // A hanging hyphen or stop stands a little into the margin.
            width: columnWidth - style.indent + hang,
            text: line,
            font: 'serif',
            size,
            lang,
            align,
            wordSpacing,
            letterSpacing,
            element,
          };
          boxes.push(...(style.marks ? this.marked(box, starts[index]!, style.marks) : [box]));
          return boxes;
        },
      };
    });
  }

  /**
   * A line of a redline cut where its marks begin and end: each piece drawn where the whole line would
   * draw it (its words' widths, the line's letter- and word-spacing before it), a marked piece in its
   * revision's colour, underlined (inserted) or struck through (deleted). A line without marks is itself.
   */
  private marked(box: TextBox, start: number, marks: readonly ChangeMark[]): PositionedBox[] {
    const end = start + box.text.length;
    const within = marks.filter((mark) => mark.start < end && mark.end > start && mark.end > mark.start);
    if (within.length === 0) return [box];
    const cuts = [...new Set([0, box.text.length, ...within.flatMap((mark) => [mark.start - start, mark.end - start])])]
      .filter((cut) => cut >= 0 && cut <= box.text.length)
      .sort((a, b) => a - b);
    const advance = (text: string) =>
      this.measurer.width(text, box.font, box.size) +
      box.letterSpacing * this.measurer.glyphCount(text, box.font) +
      box.wordSpacing * (text.length - text.replaceAll(' ', '').length);
    const baseline = box.y + this.measurer.ascent(box.font) * box.size;
    const boxes: PositionedBox[] = [];
    const rules: PositionedBox[] = [];
    for (let index = 0; index < cuts.length - 1; index += 1) {
      const [from, to] = [cuts[index]!, cuts[index + 1]!];
      const text = box.text.slice(from, to);
      if (text === '') continue;
      const x = box.x + advance(box.text.slice(0, from));
      const mark = within.find((candidate) => candidate.start - start <= from && candidate.end - start >= to);
      const color = mark ? revisionColor(mark.revision) : undefined;
      boxes.push({ ...box, x, width: advance(text), text, ...(color && { color }) });
      const ink = text.trimEnd();
      if (!mark || ink.trim() === '') continue;
      const lead = advance(ink.slice(0, ink.length - ink.trimStart().length));
      rules.push({
        kind: 'rule',
        x: x + lead,
        y: mark.kind === 'insert' ? baseline + TYPOGRAPHY.underline * box.size : baseline - TYPOGRAPHY.strike * box.size,
        width: advance(ink) - lead,
        color: color!,
        thickness: TYPOGRAPHY.markThickness,
      });
    }
    return [...boxes, ...rules];
  }

  /** The paragraph's lines, a justified paragraph's set to the full width (its last line ragged). */
  private breakLines(
    text: string,
    font: FontId,
    size: number,
    width: number,
    lang: Lang | null,
    justified: boolean,
  ): SetParagraph['lines'] {
    const key = `${font}|${size}|${width}|${lang}|${justified}|${text}`;
    let paragraph = brokenParagraphs.get(key);
    if (paragraph === undefined) {
      paragraph = setParagraph(text, {
        width,
        lang,
        justified,
        size,
        measure: (part) => this.measurer.width(part, font, size),
        glyphs: (part) => this.measurer.glyphCount(part, font),
        prepare: (texts, pieces) => this.measurer.prepare(texts, font, pieces),
      });
      // Bounded, so a stream of unusual text cannot grow the process without limit.
      if (brokenParagraphs.size >= MAX_REMEMBERED_PARAGRAPHS) brokenParagraphs.clear();
      brokenParagraphs.set(key, paragraph);
    }
    if (paragraph.pass > 1) this.emergencyParagraphs += 1;
    this.syllableBreaks += paragraph.syllableBreaks;
    this.overLimitLines += paragraph.overLimit;
    return paragraph.lines;
  }
}

/**
 * Where each line starts in its paragraph's text: the lines are the text's words in order, the space
 * at a break dropped and a hyphen added where a word is hyphenated (line-breaking.ts).
 */
function lineStarts(text: string, lines: readonly SetLine[]): number[] {
  const starts: number[] = [];
  let at = 0;
  for (const { text: line } of lines) {
    while (text[at] === ' ') at += 1;
    starts.push(at);
    at += text.startsWith(line, at) ? line.length : line.length - 1;
  }
  return starts;
}

/** A new element, appended to its parent: typesetting happens in reading order. */
function child(parent: StructureElement, type: StructureType, lang: string | null = null): StructureElement {
  const element: StructureElement = { type, lang, children: [] };
  parent.children.push(element);
  return element;
}

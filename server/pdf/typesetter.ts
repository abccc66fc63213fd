import type { Block } from '../text/markup.ts';
import { LOCALE, type Lang } from '../text/languages.ts';
import type { SignatureBlock } from './document-model.ts';
import type { FontId, TextMeasurer } from './fonts.ts';
import type { PositionedBox, RuleBox, StructureElement, StructureType, TextBox, TypesettingReport } from './layout-model.ts';
import { JUSTIFICATION, setParagraph, type SetParagraph } from './line-breaking.ts';

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
} as const;

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
}

const MAX_REMEMBERED_PARAGRAPHS = 20_000;
/**
 * Lines of paragraphs already broken, for the life of the process. Breaking by total fit is the
 * layout's main cost, and the same paragraphs are set again and again at the same width: in both
 * originals of an agreement, in each version that leaves them unchanged. Every measurer measures
 * with the process's fonts, so the lines depend on nothing but the key.
 */
const brokenParagraphs = new Map<string, SetParagraph>();

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

  title(text: string, lang: Lang, width: number, parent: StructureElement): FlowLine[] {
    const element = child(parent, 'H1');
    const lines = this.breakLines(text, 'serif-bold', TYPOGRAPHY.titleSize, width, lang, false);
    return lines.map(({ text: line }, index) => ({
      height: TYPOGRAPHY.titleLeading,
      spaceBefore: 0,
      keepWithNext: index < lines.length - 1,
      paint: (x, y, columnWidth) => [this.centered(x, y, columnWidth, line, 'serif-bold', TYPOGRAPHY.titleSize, lang, element)],
    }));
  }

  heading(text: string, lang: Lang, width: number, parent: StructureElement): FlowLine[] {
    const element = child(parent, 'H2');
    return this.breakLines(text, 'serif-bold', TYPOGRAPHY.bodySize, width, lang, false).map(({ text: line }, index) => ({
      height: TYPOGRAPHY.bodyLeading + 2,
      spaceBefore: index === 0 ? TYPOGRAPHY.sectionGap : 0,
      keepWithNext: true,
      paint: (x, y, columnWidth) => [this.centered(x, y, columnWidth, line, 'serif-bold', TYPOGRAPHY.bodySize, lang, element)],
    }));
  }

  blocks(blocks: readonly Block[], lang: Lang, width: number, firstGap: number, parent: StructureElement): FlowLine[] {
    return this.blockParagraphs(blocks, lang, width, firstGap, parent).flat(2);
  }

  /**
   * The blocks' lines, block by block and, within a block, paragraph by paragraph (a list's items
   * each on their own): what the composer aligns across the columns when the languages have as many.
   */
  blockParagraphs(blocks: readonly Block[], lang: Lang, width: number, firstGap: number, parent: StructureElement): FlowLine[][][] {
    return blocks.map((block, index) => {
      const spaceBefore = index === 0 ? firstGap : TYPOGRAPHY.paragraphGap;
      if (block.type === 'paragraph') {
        return [this.paragraph(block.text, lang, width, child(parent, 'P'), { indent: 0, spaceBefore, justified: true })];
      }
      const list = child(parent, 'L');
      return block.items.map((item, itemIndex) => {
        const listItem = child(list, 'LI');
        const label = { text: block.ordered ? `${itemIndex + 1})` : '–', element: child(listItem, 'Lbl') };
        const style = { indent: TYPOGRAPHY.listIndent, spaceBefore: itemIndex === 0 ? spaceBefore : 2, justified: true, label };
        return this.paragraph(item, lang, width, child(listItem, 'LBody'), style);
      });
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
          boxes.push({
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
          });
          return boxes;
        },
      };
    });
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

/** A new element, appended to its parent: typesetting happens in reading order. */
function child(parent: StructureElement, type: StructureType, lang: string | null = null): StructureElement {
  const element: StructureElement = { type, lang, children: [] };
  parent.children.push(element);
  return element;
}

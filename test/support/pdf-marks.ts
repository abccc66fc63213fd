import { tool } from './pdf-tools.ts';

/**
 * What a page of a PDF shows, read by two independent tools: each word's box (poppler's
 * `pdftotext -bbox-layout`, with the words of each block in reading order) and each stroked line with
 * its colour (MuPDF's `mutool trace`). Both measure in points from the page's top-left corner, so a
 * test can ask whether a word is underlined or struck through, and in which colour.
 */
export interface PageWord {
  readonly text: string;
  readonly xMin: number;
  readonly yMin: number;
  readonly xMax: number;
  readonly yMax: number;
  /** Which block (paragraph) of the page the word stands in. */
  readonly block: number;
}

export interface StrokedLine {
  readonly x1: number;
  readonly x2: number;
  readonly y: number;
  readonly color: string;
}

export async function pageWords(pdf: string, page: number): Promise<PageWord[]> {
  const { stdout } = await tool('pdftotext', ['-f', String(page), '-l', String(page), '-bbox-layout', pdf, '-']);
  const words: PageWord[] = [];
  let block = -1;
  for (const match of stdout.matchAll(/<block |<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)) {
    if (match[0] === '<block ') {
      block += 1;
      continue;
    }
    words.push({ xMin: +match[1]!, yMin: +match[2]!, xMax: +match[3]!, yMax: +match[4]!, text: decodeXml(match[5]!), block });
  }
  return words;
}

/** The horizontal lines stroked on the page (rules, underlines, strikes). */
export async function strokedLines(pdf: string, page: number): Promise<StrokedLine[]> {
  const { stdout } = await tool('mutool', ['trace', pdf, String(page)]);
  const lines: StrokedLine[] = [];
  for (const match of stdout.matchAll(
    /<stroke_path [^>]*color="([^"]*)"[^>]*>\s*<moveto x="([\d.-]+)" y="([\d.-]+)"\/>\s*<lineto x="([\d.-]+)" y="([\d.-]+)"\/>/g,
  )) {
    const [y1, y2] = [+match[3]!, +match[5]!];
    if (Math.abs(y1 - y2) > 0.01) continue;
    const [x1, x2] = [+match[2]!, +match[4]!].sort((a, b) => a - b) as [number, number];
    lines.push({ x1, x2, y: y1, color: match[1]! });
  }
  return lines;
}

/**
 * How a word is marked: a line across at least 90% of its width in its lower part (underline) or
 * through its middle (strike), and that line's colour; none when no line crosses it.
 */
export function markOf(word: PageWord, lines: readonly StrokedLine[]): { kind: 'underline' | 'strike'; color: string } | undefined {
  const height = word.yMax - word.yMin;
  const width = word.xMax - word.xMin;
  for (const line of lines) {
    const covered = Math.min(line.x2, word.xMax) - Math.max(line.x1, word.xMin);
    if (covered < width * 0.9) continue;
    const at = (line.y - word.yMin) / height;
    if (at > 0.75 && at < 1.1) return { kind: 'underline', color: line.color };
    if (at > 0.3 && at <= 0.75) return { kind: 'strike', color: line.color };
  }
  return undefined;
}

function decodeXml(text: string): string {
  return text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&apos;', "'").replaceAll('&amp;', '&');
}

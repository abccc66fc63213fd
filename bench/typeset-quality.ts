import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { isMain, percentile } from './bench-results.ts';

/**
 * `tsx bench/typeset-quality.ts <pdf>...`: how well each PDF's justified text is set, measured the same
 * way for every system from what poppler sees (`pdftotext -bbox-layout`), printed side by side:
 * justified lines set flush left, word gaps (p95 and max, in em of the 10 pt body), hyphenated line
 * ends and the longest run of them. Asserts nothing.
 *
 * What counts as a justified line, without knowing who made the PDF: lines are grouped into columns by
 * where they start (a list's indent belongs to its column); a line is inside a paragraph when the next
 * line of its column follows at the column's usual line pitch (a paragraph gap or a heading makes the
 * step longer) and it reaches past 60% of the measure (no justifier stops shorter; a paragraph's last
 * line may). Such a line is set flush left when it ends more than 1.5 pt short of the column's right
 * edge (the edge most of its lines end at). The last page (signature blocks, set ragged) is left out,
 * and so are lines not of the body's size (the height most lines have): titles are centred.
 */

const BODY_SIZE = 10;
const SHORT_BY = 1.5;
/** A hyphen at a line end as each system writes it: Bilateral and Chromium a hyphen-minus, Typst a soft hyphen (U+00AD) or U+2010. */
const HYPHEN_AT_END = /[-\u00ad\u2010]$/u;

interface Word {
  readonly xMin: number;
  readonly xMax: number;
  readonly text: string;
}
interface Line {
  readonly xMin: number;
  readonly xMax: number;
  readonly yMin: number;
  readonly height: number;
  readonly words: readonly Word[];
}

export interface TypesetQuality {
  readonly justifiedLines: number;
  readonly flushLeft: number;
  readonly wordGapP95: number;
  readonly wordGapMax: number;
  readonly hyphenated: number;
  readonly longestHyphenRun: number;
}

function pagesOf(pdf: string): Line[][] {
  const xml = execFileSync('pdftotext', ['-bbox-layout', pdf, '-'], { maxBuffer: 64 << 20 }).toString('utf8');
  const number = (attributes: string, name: string) => Number(new RegExp(`${name}="([\\d.]+)"`).exec(attributes)![1]);
  return xml
    .split('<page ')
    .slice(1)
    .map((page) =>
      [...page.matchAll(/<line ([^>]*)>([\s\S]*?)<\/line>/g)].map(([, attributes, body]) => ({
        xMin: number(attributes!, 'xMin'),
        xMax: number(attributes!, 'xMax'),
        yMin: number(attributes!, 'yMin'),
        height: number(attributes!, 'yMax') - number(attributes!, 'yMin'),
        words: [...body!.matchAll(/<word ([^>]*)>([^<]*)<\/word>/g)].map(([, wordAttributes, text]) => ({
          xMin: number(wordAttributes!, 'xMin'),
          xMax: number(wordAttributes!, 'xMax'),
          text: text!,
        })),
      })),
    );
}

/** Lines grouped by where they start: a new column where a line starts more than 20 pt right of the last group's start. */
function columnsOf(lines: readonly Line[]): Line[][] {
  const starts = [...new Set(lines.map((line) => Math.round(line.xMin)))].sort((a, b) => a - b);
  const groups: number[] = [];
  for (const start of starts) if (groups.length === 0 || start - groups.at(-1)! > 20) groups.push(start);
  const columns: Line[][] = groups.map(() => []);
  for (const line of lines) {
    const index = groups.findLastIndex((start) => Math.round(line.xMin) >= start);
    columns[index]!.push(line);
  }
  return columns.map((column) => column.sort((a, b) => a.yMin - b.yMin));
}

export function typesetQuality(pdf: string): TypesetQuality {
  // Only lines of the body's size: a title's lines, centred, may start near a column's edge.
  const all = pagesOf(pdf).slice(0, -1);
  const heights = new Map<number, number>();
  for (const line of all.flat()) heights.set(Math.round(line.height), (heights.get(Math.round(line.height)) ?? 0) + 1);
  const bodyHeight = [...heights.entries()].sort((a, b) => b[1] - a[1])[0]![0];
  const pages = all.map((page) => page.filter((line) => Math.abs(line.height - bodyHeight) <= 1.5));
  let justifiedLines = 0;
  let flushLeft = 0;
  let hyphenated = 0;
  let longestHyphenRun = 0;
  const gaps: number[] = [];
  for (const page of pages) {
    for (const column of columnsOf(page)) {
      const steps = column.slice(1).map((line, index) => Math.round((line.yMin - column[index]!.yMin) * 10) / 10);
      if (steps.length === 0) continue;
      const counts = new Map<number, number>();
      for (const step of steps) counts.set(step, (counts.get(step) ?? 0) + 1);
      const pitch = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
      // The edge most lines end at, to half a point: hanging hyphens and stops stand past it.
      const ends = new Map<number, number>();
      for (const line of column.filter((candidate) => /[\p{L}\p{N}]$/u.test(candidate.words.at(-1)?.text ?? '')))
        ends.set(Math.round(line.xMax * 2) / 2, (ends.get(Math.round(line.xMax * 2) / 2) ?? 0) + 1);
      const edge = [...ends.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]![0];
      const start = Math.min(...column.map((line) => line.xMin));
      let run = 0;
      column.forEach((line, index) => {
        const next = column[index + 1];
        // A line ending before 60% of the measure ends its paragraph: no justifier leaves that much.
        const inParagraph =
          next !== undefined &&
          Math.abs(next.yMin - line.yMin - pitch) < 0.6 &&
          line.xMax - start > 0.6 * (edge - start) &&
          // Centred lines (titles) start anywhere; justified ones at the column's start or a list's indent.
          line.xMin - start < 16;
        if (!inParagraph) {
          run = 0;
          return;
        }
        justifiedLines += 1;
        if (line.xMax < edge - SHORT_BY) {
          flushLeft += 1;
          if (process.env.QUALITY_DEBUG) console.log((edge - line.xMax).toFixed(1), line.words.map((word) => word.text).join(' '));
        }
        for (const [at, word] of line.words.slice(1).entries()) gaps.push((word.xMin - line.words[at]!.xMax) / BODY_SIZE);
        if (HYPHEN_AT_END.test(line.words.at(-1)!.text)) {
          hyphenated += 1;
          run += 1;
          longestHyphenRun = Math.max(longestHyphenRun, run);
        } else run = 0;
      });
    }
  }
  return {
    justifiedLines,
    flushLeft,
    wordGapP95: percentile(gaps, 95),
    wordGapMax: Math.max(...gaps),
    hyphenated,
    longestHyphenRun,
  };
}

export function formatQuality(rows: readonly { name: string; quality: TypesetQuality }[]): string {
  const header = ['system', 'justified lines set flush left', 'word gap p95 / max (em)', 'hyphenated line ends (longest run)'];
  const body = rows.map(({ name, quality: q }) => [
    name,
    `${q.flushLeft} of ${q.justifiedLines}`,
    `${q.wordGapP95.toFixed(2)} / ${q.wordGapMax.toFixed(2)}`,
    `${q.hyphenated} (${q.longestHyphenRun})`,
  ]);
  const widths = header.map((cell, index) => Math.max(cell.length, ...body.map((row) => row[index]!.length)));
  return [header, widths.map((width) => '-'.repeat(width)), ...body]
    .map((row) => `| ${row.map((cell, index) => cell.padEnd(widths[index]!)).join(' | ')} |`)
    .join('\n');
}

if (isMain(import.meta.url)) {
  const files = process.argv.slice(2);
  if (files.length === 0) throw new Error('usage: tsx bench/typeset-quality.ts <pdf>...');
  console.log(formatQuality(files.map((file) => ({ name: path.basename(file, '.pdf'), quality: typesetQuality(file) }))));
}

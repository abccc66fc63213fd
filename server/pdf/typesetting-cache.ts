import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { markContentsMemo, restoreMarkContents } from './draw.ts';
import { restoreSubsets, subsetsMemo, type StoredSubset } from './font-subsets.ts';
import { FONT_FILES, restoreShapedTexts, shapedTextsMemo, type FontId, type ShapedText } from './fonts.ts';
import type { SetParagraph } from './line-breaking.ts';
import { brokenParagraphsMemo, restoreBrokenParagraphs } from './typesetter.ts';

/**
 * What a process remembers of typesetting (shaped words, broken paragraphs, font subsets, the draft
 * mark), stored in a file so that a fresh process starts with it: the first document of a fresh
 * process otherwise shapes, hyphenates and breaks every paragraph and builds its subsets anew, most
 * of its time. Built from the clause library's agreements (`npm run typesetting-cache`, after
 * install), never from a user's text, so no agreement's text is written outside the database.
 *
 * Everything remembered is a pure function of the text, the fonts and this code, so the file is named
 * by a hash of the font files' names and sizes, of package-lock.json (the versions of HarfBuzz,
 * fontkit, hyphen and the font package) and of the typesetting modules' sources: a process with other
 * fonts or other code finds no file and typesets as if there were none. A process renders the same
 * bytes with the file or without it (tested).
 */

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SOURCES = [
  'compose.ts',
  'draw.ts',
  'draw-text.ts',
  'font-subsets.ts',
  'fonts.ts',
  'hyphenation.ts',
  'line-breaking.ts',
  'truetype-subset.ts',
  'typesetter.ts',
];

interface StoredTypesetting {
  readonly paragraphs: [string, SetParagraph][];
  readonly shaped: [FontId, [string, ShapedText][]][];
  readonly subsets: [string, StoredSubset][];
  readonly marks: [string, string][];
}

/** The file for this process's fonts and code. */
export function typesettingCacheFile(): string {
  const hash = createHash('sha256');
  for (const file of Object.values(FONT_FILES)) hash.update(`${path.basename(file)}:${statSync(file).size}\n`);
  hash.update(readFileSync(path.join(ROOT, 'package-lock.json')));
  for (const source of SOURCES) hash.update(readFileSync(path.join(import.meta.dirname, source)));
  return path.join(ROOT, 'node_modules', '.cache', 'bilateral', `typesetting-${hash.digest('hex').slice(0, 16)}.json`);
}

/**
 * Takes in what the file remembers, if there is one for these fonts and this code; whether there was.
 * No file, no package-lock.json to name it by, or a file that does not parse: nothing is taken in, and
 * the process typesets everything itself.
 */
export function loadTypesettingCache(file?: string): boolean {
  let stored: StoredTypesetting;
  try {
    stored = JSON.parse(readFileSync(file ?? typesettingCacheFile(), 'utf8')) as StoredTypesetting;
  } catch {
    return false;
  }
  restoreBrokenParagraphs(stored.paragraphs);
  restoreShapedTexts(stored.shaped);
  restoreSubsets(stored.subsets);
  restoreMarkContents(stored.marks);
  return true;
}

/** Writes what this process remembers (whole, or not at all: a reader never sees half a file); returns the file. */
export function storeTypesettingCache(file = typesettingCacheFile()): string {
  const stored: StoredTypesetting = {
    paragraphs: brokenParagraphsMemo(),
    shaped: shapedTextsMemo(),
    subsets: subsetsMemo(),
    marks: markContentsMemo(),
  };
  mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify(stored));
  renameSync(partial, file);
  return file;
}

import { openSync, readFileSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as fontkit from 'fontkit';
import type * as HarfBuzz from 'harfbuzzjs';

/**
 * The fonts every agreement is set in. Noto Serif KR draws Latin, Cyrillic and Hangul, so one family
 * serves all three languages and the columns share one typographic colour. The files come from an npm
 * package; what a process needs of them (the tables HarfBuzz shapes with, the outlines of the glyphs
 * a subset holds) is read once, so no document reads or parses the 14 MB files again; a document
 * embeds only the glyphs it uses (font-subsets.ts).
 */
export type FontId = 'serif' | 'serif-bold';

const require = createRequire(import.meta.url);
/** Where the files live inside their npm package; the web pages and the HTML preview are served the same files. */
export const FONT_FILES: Record<FontId, string> = {
  serif: require.resolve('@expo-google-fonts/noto-serif-kr/400Regular/NotoSerifKR_400Regular.ttf'),
  'serif-bold': require.resolve('@expo-google-fonts/noto-serif-kr/700Bold/NotoSerifKR_700Bold.ttf'),
};

/** Where the web application serves each font, so pages and previews set text in what the PDFs embed. */
export const FONT_URLS: Record<FontId, string> = {
  serif: '/assets/fonts/noto-serif-kr-400.ttf',
  'serif-bold': '/assets/fonts/noto-serif-kr-700.ttf',
};

export interface LoadedFont {
  readonly id: FontId;
  /** The parsed font; shape text with `shape`, which remembers. */
  readonly font: fontkit.Font;
}

/** The font files' bytes, read whole once fontkit parses them (the draft mark's outlines, signatures' metrics). */
const fileBytes = new Map<FontId, Buffer>();
const bytesOf = (id: FontId) => {
  let bytes = fileBytes.get(id);
  if (bytes === undefined) fileBytes.set(id, (bytes = readFileSync(FONT_FILES[id])));
  return bytes;
};
/**
 * Bytes of a font file: from the whole file if it was read, else read from the file where they are.
 * Shaping needs 300 KB of the 14 MB and a subset the outlines of its glyphs: reading the whole
 * file into memory was a twentieth of a fresh process's first document, and 14 MB it kept.
 */
const descriptors = new Map<FontId, number>();
function readFont(id: FontId, offset: number, length: number): Buffer {
  const whole = fileBytes.get(id);
  if (whole !== undefined) return whole.subarray(offset, offset + length);
  let descriptor = descriptors.get(id);
  if (descriptor === undefined) descriptors.set(id, (descriptor = openSync(FONT_FILES[id], 'r')));
  const bytes = Buffer.alloc(length);
  for (let read = 0; read < length; ) {
    const count = readSync(descriptor, bytes, read, length - read, offset + read);
    if (count === 0) throw new Error(`${FONT_FILES[id]} ends before byte ${offset + length}`);
    read += count;
  }
  return bytes;
}

/** A table of a font file (OpenType's table directory): its checksum, where it starts and how long it is. */
interface TableRecord {
  readonly checksum: number;
  readonly offset: number;
  readonly length: number;
}
const tableDirectories = new Map<FontId, ReadonlyMap<string, TableRecord>>();
function tableDirectory(id: FontId): ReadonlyMap<string, TableRecord> {
  let directory = tableDirectories.get(id);
  if (directory === undefined) {
    const tables = readFont(id, 4, 2).readUInt16BE(0);
    const records = readFont(id, 12, 16 * tables);
    directory = new Map(
      Array.from({ length: tables }, (_, index) => {
        const at = 16 * index;
        const record = {
          checksum: records.readUInt32BE(at + 4),
          offset: records.readUInt32BE(at + 8),
          length: records.readUInt32BE(at + 12),
        };
        return [records.toString('latin1', at, at + 4), record] as const;
      }),
    );
    tableDirectories.set(id, directory);
  }
  return directory;
}

/** The bytes of one of the font's tables, read once (not glyf: see fontTablePart), or undefined when the font has no table of that name. */
const tables = new Map<string, Buffer | undefined>();
export function fontTable(id: FontId, tag: string): Buffer | undefined {
  const key = `${id}|${tag}`;
  if (!tables.has(key)) {
    const record = tableDirectory(id).get(tag);
    tables.set(key, record && readFont(id, record.offset, record.length));
  }
  return tables.get(key);
}

/** Bytes `start` to `end` of one of the font's tables: a glyph's outline in glyf, without reading all of them. */
export function fontTablePart(id: FontId, tag: string, start: number, end: number): Buffer {
  const record = tableDirectory(id).get(tag);
  if (record === undefined || start < 0 || end < start || end > record.length)
    throw new Error(`bytes ${start}-${end} are not in the ${tag} table`);
  return readFont(id, record.offset + start, end - start);
}

/**
 * The font file without its glyph outlines (glyf and loca, 13.6 of the 14 MB), which shaping does not
 * read: HarfBuzz copies what it is given into its WebAssembly memory, and copying the whole file was a
 * tenth of a fresh process's first document. A test holds the shaping to the whole font's.
 */
function withoutOutlines(id: FontId): Buffer {
  const tables = [...tableDirectory(id)].filter(([tag]) => tag !== 'glyf' && tag !== 'loca');
  return sfnt(
    readFont(id, 0, 4).readUInt32BE(0),
    tables.map(([tag, { checksum }]) => ({ tag, data: fontTable(id, tag)!, checksum })),
  );
}

/** A table to write into a font file; its checksum when it is known already (head's is taken with checkSumAdjustment 0). */
export interface SfntTable {
  readonly tag: string;
  readonly data: Buffer;
  readonly checksum?: number;
}

/**
 * An OpenType font file of `tables`: sorted by tag, each 4-byte aligned with its checksum, and head's
 * checkSumAdjustment set for the whole file (OpenType's "head" table).
 */
export function sfnt(version: number, tables: readonly SfntTable[]): Buffer {
  const sorted = [...tables].sort((a, b) => (a.tag < b.tag ? -1 : 1));
  const directoryLength = 12 + 16 * sorted.length;
  const length = sorted.reduce((total, { data }) => total + ((data.length + 3) & ~3), directoryLength);
  const file = Buffer.alloc(length);
  // searchRange, entrySelector and rangeShift: for the binary search a reader may do in the directory.
  const entrySelector = Math.floor(Math.log2(sorted.length));
  file.writeUInt32BE(version, 0);
  file.writeUInt16BE(sorted.length, 4);
  file.writeUInt16BE(16 * 2 ** entrySelector, 6);
  file.writeUInt16BE(entrySelector, 8);
  file.writeUInt16BE(16 * (sorted.length - 2 ** entrySelector), 10);
  let offset = directoryLength;
  let headOffset: number | undefined;
  // The file's checksum is the directory's and the tables' (zero padded to whole words) added up.
  let fileChecksum = 0;
  sorted.forEach(({ tag, data, checksum }, index) => {
    const at = 12 + 16 * index;
    data.copy(file, offset);
    if (tag === 'head') file.writeUInt32BE(0, (headOffset = offset) + 8);
    const sum = checksum ?? wordSum(file, offset, (data.length + 3) & ~3);
    fileChecksum = (fileChecksum + sum) >>> 0;
    file.write(tag, at, 'latin1');
    file.writeUInt32BE(sum, at + 4);
    file.writeUInt32BE(offset, at + 8);
    file.writeUInt32BE(data.length, at + 12);
    offset += (data.length + 3) & ~3;
  });
  fileChecksum = (fileChecksum + wordSum(file, 0, directoryLength)) >>> 0;
  if (headOffset !== undefined) file.writeUInt32BE((0xb1b0afba - fileChecksum) >>> 0, headOffset + 8);
  return file;
}

/** The sum of the big-endian 32-bit words of `length` (a multiple of 4) bytes, modulo 2^32. */
function wordSum(bytes: Buffer, start: number, length: number): number {
  // A DataView's reads are built into V8: Buffer's readUInt32BE is JavaScript, slow in a fresh process for the 30,000 words of a subset.
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, length);
  let sum = 0;
  for (let at = 0; at < length; at += 4) sum = (sum + view.getUint32(at)) >>> 0;
  return sum;
}

/** Per font, the glyph id of each code point by the cmap subtable chosen, found on first use. */
const characterMaps = new Map<FontId, (codePoint: number) => number>();

/**
 * The glyph the font's cmap maps a character to (0 when none), read from the table itself (a Unicode
 * subtable: format 12, else format 4): whether a character can be drawn at all, and work done ahead
 * while HarfBuzz loads. Shaping may give another glyph where the font substitutes, so what is done
 * ahead with it must hold for any glyph id.
 */
export function nominalGlyph(id: FontId, codePoint: number): number {
  let glyphOf = characterMaps.get(id);
  if (glyphOf === undefined) characterMaps.set(id, (glyphOf = characterMap(fontTable(id, 'cmap')!)));
  return glyphOf(codePoint);
}

function characterMap(cmap: Buffer): (codePoint: number) => number {
  const subtables = Array.from({ length: cmap.readUInt16BE(2) }, (_, index) => {
    const at = 4 + 8 * index;
    const offset = cmap.readUInt32BE(at + 4);
    return { platform: cmap.readUInt16BE(at), encoding: cmap.readUInt16BE(at + 2), offset, format: cmap.readUInt16BE(offset) };
  });
  const unicode = ({ platform, encoding }: { platform: number; encoding: number }) =>
    platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
  const full = subtables.find((subtable) => unicode(subtable) && subtable.format === 12);
  if (full !== undefined) {
    const groups = cmap.readUInt32BE(full.offset + 12);
    const groupAt = (group: number) => full.offset + 16 + 12 * group;
    return (codePoint) => {
      // The first group that ends at or after the character: groups are sorted and do not overlap.
      const group = firstIndexWhere(groups, (index) => cmap.readUInt32BE(groupAt(index) + 4) >= codePoint);
      if (group === groups) return 0;
      const start = cmap.readUInt32BE(groupAt(group));
      return codePoint < start ? 0 : cmap.readUInt32BE(groupAt(group) + 8) + codePoint - start;
    };
  }
  const basic = subtables.find((subtable) => unicode(subtable) && subtable.format === 4);
  if (basic === undefined) throw new Error('the font has no Unicode cmap of format 4 or 12');
  const segments = cmap.readUInt16BE(basic.offset + 6) / 2;
  const [ends, starts, deltas, rangeOffsets] = [14, 16 + 2 * segments, 16 + 4 * segments, 16 + 6 * segments].map(
    (at) => basic.offset + at,
  ) as [number, number, number, number];
  return (codePoint) => {
    if (codePoint > 0xffff) return 0;
    // The first segment that ends at or after the character: segments are sorted by their ends.
    const segment = firstIndexWhere(segments, (index) => cmap.readUInt16BE(ends + 2 * index) >= codePoint);
    if (segment === segments) return 0;
    const start = cmap.readUInt16BE(starts + 2 * segment);
    if (codePoint < start) return 0;
    const delta = cmap.readUInt16BE(deltas + 2 * segment);
    const rangeOffset = cmap.readUInt16BE(rangeOffsets + 2 * segment);
    if (rangeOffset === 0) return (codePoint + delta) & 0xffff;
    const glyph = cmap.readUInt16BE(rangeOffsets + 2 * segment + rangeOffset + 2 * (codePoint - start));
    return glyph === 0 ? 0 : (glyph + delta) & 0xffff;
  };
}

/** The first of `count` indices for which `holds` is true, or `count`: `holds` is false, then true, as the index grows (a binary search). */
function firstIndexWhere(count: number, holds: (index: number) => boolean): number {
  let [low, high] = [0, count];
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (holds(middle)) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** What the PDF's font descriptor and the layout take from a font, in font units, as fontkit gives them (tested). */
export interface FontMetrics {
  readonly postscriptName: string;
  readonly unitsPerEm: number;
  /** hhea's ascender and descender. */
  readonly ascent: number;
  readonly descent: number;
  /** OS/2's, 0 when the font does not say. */
  readonly capHeight: number;
  readonly xHeight: number;
  /** head's box around all the glyphs: xMin, yMin, xMax, yMax. */
  readonly bbox: readonly [number, number, number, number];
  /** In degrees, counter-clockwise from the vertical. */
  readonly italicAngle: number;
  readonly isFixedPitch: boolean;
  readonly isItalic: boolean;
  /** OS/2's IBM font class (its high byte): 1-7 are the serif classes. */
  readonly familyClass: number;
}

const metrics = new Map<FontId, FontMetrics>();
/** The font's metrics, read from its tables once: parsing the font with fontkit for these took longer than the rest of a subset. */
export function fontMetrics(id: FontId): FontMetrics {
  let found = metrics.get(id);
  if (found === undefined) {
    // Offsets as the OpenType specification lays out head, hhea, OS/2 (version 2 and later for the heights) and post.
    const head = fontTable(id, 'head')!;
    const hhea = fontTable(id, 'hhea')!;
    const os2 = fontTable(id, 'OS/2');
    const post = fontTable(id, 'post')!;
    const heights = os2 !== undefined && os2.readUInt16BE(0) >= 2;
    metrics.set(
      id,
      (found = {
        postscriptName: postscriptName(fontTable(id, 'name')!),
        unitsPerEm: head.readUInt16BE(18),
        ascent: hhea.readInt16BE(4),
        descent: hhea.readInt16BE(6),
        capHeight: heights ? os2.readInt16BE(88) : 0,
        xHeight: heights ? os2.readInt16BE(86) : 0,
        bbox: [head.readInt16BE(36), head.readInt16BE(38), head.readInt16BE(40), head.readInt16BE(42)],
        italicAngle: post.readInt32BE(4) / 65536,
        isFixedPitch: post.readUInt32BE(12) !== 0,
        isItalic: (head.readUInt16BE(44) & 0x0002) !== 0,
        familyClass: os2 === undefined ? 0 : os2.readInt16BE(30) >> 8,
      }),
    );
  }
  return found;
}

/** The name table's PostScript name (name ID 6): Windows' UTF-16 record, else the Macintosh one. */
function postscriptName(name: Buffer): string {
  const stringsAt = name.readUInt16BE(4);
  const records = Array.from({ length: name.readUInt16BE(2) }, (_, index) => {
    const at = 6 + 12 * index;
    const [platform, nameId, length, offset] = [
      name.readUInt16BE(at),
      name.readUInt16BE(at + 6),
      name.readUInt16BE(at + 8),
      name.readUInt16BE(at + 10),
    ];
    return { platform, nameId, bytes: name.subarray(stringsAt + offset, stringsAt + offset + length) };
  }).filter(({ nameId }) => nameId === 6);
  const windows = records.find(({ platform }) => platform === 3);
  if (windows) return Buffer.from(windows.bytes).swap16().toString('utf16le');
  const mac = records.find(({ platform }) => platform === 1);
  if (mac) return mac.bytes.toString('latin1');
  throw new Error('the font has no PostScript name');
}

const parsed = new Map<FontId, LoadedFont>();
function parsedFont(id: FontId): LoadedFont {
  let font = parsed.get(id);
  if (font === undefined) {
    const created = fontkit.create(bytesOf(id));
    if (!('layout' in created)) throw new Error(`${FONT_FILES[id]} is a font collection, expected a single font`);
    parsed.set(id, (font = { id, font: created }));
  }
  return font;
}
/** Getters, so that a document that needs one of the fonts parsed does not parse both. */
const loaded = Object.defineProperties(
  {},
  Object.fromEntries((Object.keys(FONT_FILES) as FontId[]).map((id) => [id, { get: () => parsedFont(id), enumerable: true }])),
) as Record<FontId, LoadedFont>;

/** The parsed fonts (metrics, outlines), each parsed on first use and kept for the life of the process. */
export function fonts(): Record<FontId, LoadedFont> {
  return loaded;
}

/**
 * HarfBuzz (its WebAssembly build, in the npm package), imported when this module is: dynamically,
 * since its module awaits the WebAssembly at top level, and a static import of such a module keeps
 * tsx's loader from starting a worker thread on Node 20 (the rendering threads). Rendering waits for
 * it (shaperReady); until it is there, shape() shapes with fontkit, which gives the same glyphs and
 * advances (a test holds the two to each other over the clause library).
 */
let harfbuzz: typeof HarfBuzz | undefined;
const harfbuzzLoading = import('harfbuzzjs').then((module) => {
  harfbuzz = module;
});

/** Whether HarfBuzz has loaded: until then a rendering waits for it (shaperReady). */
export function shaperLoaded(): boolean {
  return harfbuzz !== undefined;
}

/** Resolves once HarfBuzz is loaded; every rendering awaits it first, so its shaping never depends on timing. */
export function shaperReady(): Promise<void> {
  return harfbuzzLoading;
}

/** A buffer for shaping words: each character its own cluster unless the font joins them, so a combining mark keeps its own text. */
function shapingBuffer(harfbuzz: typeof HarfBuzz): HarfBuzz.Buffer {
  const buffer = new harfbuzz.Buffer();
  buffer.setClusterLevel(harfbuzz.ClusterLevel.MONOTONE_CHARACTERS);
  return buffer;
}

/** HarfBuzz with each font, made on first use. */
const shapers = new Map<FontId, { readonly font: HarfBuzz.Font; readonly buffer: HarfBuzz.Buffer }>();
function shaperOf(harfbuzz: typeof HarfBuzz, id: FontId) {
  let shaper = shapers.get(id);
  if (shaper === undefined)
    shapers.set(
      id,
      (shaper = { font: new harfbuzz.Font(new harfbuzz.Face(new harfbuzz.Blob(withoutOutlines(id)))), buffer: shapingBuffer(harfbuzz) }),
    );
  return shaper;
}

const MAX_REMEMBERED_RUNS = 50_000;
const shapedTexts = new Map<FontId, Map<string, ShapedText>>();

/** The texts shaped so far, by font, to store (typesetting-cache.ts); and stored ones taken back. */
export function shapedTextsMemo(): [FontId, [string, ShapedText][]][] {
  return [...shapedTexts].map(([fontId, texts]) => [fontId, [...texts]]);
}
export function restoreShapedTexts(entries: readonly [FontId, readonly [string, ShapedText][]][]): void {
  for (const [fontId, stored] of entries) {
    let texts = shapedTexts.get(fontId);
    if (texts === undefined) shapedTexts.set(fontId, (texts = new Map()));
    for (const [text, shaped] of stored) if (texts.size < MAX_REMEMBERED_RUNS) texts.set(text, shaped);
  }
}

/** Where a shaped glyph goes, in font units: how far it moves the pen, and how far it is drawn off the pen. */
export interface GlyphPosition {
  readonly xAdvance: number;
  readonly xOffset: number;
  readonly yOffset: number;
}

/** A text shaped in one font: its glyphs, where they go, and what each of them stands for. */
export interface ShapedText {
  /** The font's glyph ids, in drawing order. */
  readonly glyphs: readonly { readonly id: number }[];
  /** In font units, like `advanceWidth`. */
  readonly positions: readonly GlyphPosition[];
  readonly advanceWidth: number;
  /**
   * The characters each glyph draws, taken from the text by HarfBuzz's clusters: all of a cluster's
   * characters on its first glyph, none on the others (a ligature draws several, a decomposition's
   * second glyph none), so a PDF's ToUnicode map depends on the text alone.
   */
  readonly characters: readonly string[];
}

/**
 * `text` shaped (OpenType GSUB and GPOS) in the font by HarfBuzz, remembered for the life of the
 * process. HarfBuzz gives the glyphs and advances fontkit's layout gave (checked over every word of
 * the clause library) in a twentieth of the time: fontkit's shaping of this CJK font's lookups was
 * most of a fresh process's first document.
 */
export function shape(fontId: FontId, text: string): ShapedText {
  let shaped = shapedTexts.get(fontId)?.get(text);
  if (shaped === undefined) remember(fontId, text, (shaped = harfbuzz ? shapeWithHarfBuzz(fontId, text) : shapeWithFontkit(fontId, text)));
  return shaped;
}

function remember(fontId: FontId, text: string, shaped: ShapedText) {
  let texts = shapedTexts.get(fontId);
  if (texts === undefined) shapedTexts.set(fontId, (texts = new Map()));
  // Bounded, so a stream of unusual text cannot grow the process without limit.
  if (texts.size >= MAX_REMEMBERED_RUNS) texts.clear();
  texts.set(text, shaped);
}

/** `text` shaped by HarfBuzz alone, remembered nowhere: what `shape` and `shapeTogether` give, to compare with. */
export function shapeWithHarfBuzz(fontId: FontId, text: string): ShapedText {
  if (!harfbuzz) throw new Error('HarfBuzz is not loaded yet: await shaperReady()');
  const { infos, positions } = harfBuzzRun(harfbuzz, fontId, text);
  return shapedSlice(text, infos, positions, 0, infos.length, 0);
}

/** The glyphs HarfBuzz sets `text` in: each glyph's id, cluster (the offset of its first character) and flags, and positions. */
function harfBuzzRun(harfbuzz: typeof HarfBuzz, fontId: FontId, text: string) {
  const { font, buffer } = shaperOf(harfbuzz, fontId);
  // Keeps the buffer's cluster level (shapingBuffer): a call into the WebAssembly fewer for every run.
  buffer.clearContents();
  buffer.addText(text);
  buffer.guessSegmentProperties();
  harfbuzz.shape(font, buffer);
  return { infos: buffer.getGlyphInfos(), positions: buffer.getGlyphPositions() };
}

/**
 * The glyphs `first` to `last` of a run, which set `text`, starting at `offset` in the run's text:
 * read in one pass over the run, a fresh process's most frequent work on glyphs.
 */
function shapedSlice(
  text: string,
  infos: readonly HarfBuzz.GlyphInfo[],
  positions: readonly HarfBuzz.GlyphPosition[],
  first: number,
  last: number,
  offset: number,
): ShapedText {
  const glyphs: { id: number }[] = [];
  const kept: GlyphPosition[] = [];
  let advanceWidth = 0;
  let leftToRight = true;
  for (let index = first; index < last; index += 1) {
    const { xAdvance, xOffset, yOffset } = positions[index]!;
    glyphs.push({ id: infos[index]!.codepoint });
    kept.push({ xAdvance, xOffset, yOffset });
    advanceWidth += xAdvance;
    if (index > first && infos[index]!.cluster < infos[index - 1]!.cluster) leftToRight = false;
  }
  let characters: string[];
  if (leftToRight) {
    // Each glyph's characters: its cluster's text on the cluster's first glyph, nothing on the rest;
    // left to right, a cluster's text ends where the next cluster starts.
    characters = new Array(last - first);
    let next = text.length;
    for (let index = last - 1; index >= first; index -= 1) {
      const cluster = infos[index]!.cluster - offset;
      if (index < last - 1 && infos[index + 1]!.cluster - offset !== cluster) next = infos[index + 1]!.cluster - offset;
      characters[index - first] = index > first && infos[index - 1]!.cluster - offset === cluster ? '' : text.slice(cluster, next);
    }
  } else
    characters = charactersOutOfOrder(
      text,
      infos.slice(first, last).map(({ cluster }) => ({ cluster: cluster - offset })),
    );
  return { glyphs, positions: kept, advanceWidth, characters };
}

/**
 * The scripts of the documents' languages. A word of one of them, with no other script among its
 * characters (punctuation, digits and marks have none of their own), is shaped with that script's
 * features whether it is shaped alone or beside others of its script: HarfBuzz takes the script of
 * a run from its first character that has one.
 */
const SCRIPTS = (['Cyrillic', 'Latin', 'Hangul'] as const).map((script) => ({
  only: new RegExp(`^[\\p{Script=${script}}\\p{Script=Common}\\p{Script=Inherited}]*$`, 'u'),
  any: new RegExp(`\\p{Script=${script}}`, 'u'),
}));
/** Words set in one HarfBuzz buffer: enough that a call's fixed cost is shared, few enough that a failed check costs little. */
const WORDS_PER_RUN = 64;
const SEPARATOR = '\n';

/**
 * Shapes the words of `texts` that are not shaped yet, many to a HarfBuzz buffer (a line feed between
 * them: the font has no glyph for it, so no lookup of the font reaches across it, where a space takes
 * another glyph between Hangul), and remembers each as `shape` would: in a fresh process each call into the WebAssembly
 * (a dozen for every word, one for every glyph) costs more than HarfBuzz's own work, and shaping
 * the words of a first document one by one was a third of it. A word takes its glyphs from the
 * shared buffer only where HarfBuzz says the run may be cut before and after it and each side shaped
 * alone with the same glyphs and advances (no UNSAFE_TO_BREAK at either cut), and only beside words
 * of its own script; any other is shaped alone. `pieces` are words cut where a line may break inside
 * them (hyphenation.ts): each piece takes its glyphs from its word's in the same way, where HarfBuzz
 * says the word may be cut on both sides of it, and is shaped with the words where it may not; the
 * pieces were two fifths of what a first document shaped. Returns how many were taken from shared buffers.
 */
export function shapeTogether(fontId: FontId, texts: Iterable<string>, pieces: Iterable<readonly string[]> = []): number {
  if (!harfbuzz) return 0;
  const piecesOf = new Map<string, readonly string[]>();
  for (const parts of pieces) if (parts.length > 1) piecesOf.set(parts.join(''), parts);
  const words = (function* () {
    for (const text of texts) yield* text.split(' ');
    yield* piecesOf.keys();
  })();
  let together = shapeByScript(harfbuzz, fontId, words, piecesOf);
  // The pieces no word's glyphs gave: their word was shaped before, or may not be cut there.
  const shaped = shapedTexts.get(fontId);
  const rest = [...piecesOf.values()].flat().filter((piece) => !shaped?.has(piece));
  if (rest.length > 0) together += shapeByScript(harfbuzz, fontId, rest, new Map());
  return together;
}

function shapeByScript(
  harfbuzz: typeof HarfBuzz,
  fontId: FontId,
  words: Iterable<string>,
  piecesOf: ReadonlyMap<string, readonly string[]>,
): number {
  const shaped = shapedTexts.get(fontId);
  const byScript = SCRIPTS.map(() => new Set<string>());
  for (const word of words) {
    if (word === '' || shaped?.has(word)) continue;
    const script = SCRIPTS.findIndex(({ only, any }) => only.test(word) && any.test(word));
    if (script !== -1) byScript[script]!.add(word);
  }
  let together = 0;
  byScript.forEach((words, script) => {
    const pending = [...words];
    for (let start = 0; start < pending.length; start += WORDS_PER_RUN)
      together += shapeRun(harfbuzz, fontId, pending.slice(start, start + WORDS_PER_RUN), SCRIPTS[script]!.any, piecesOf);
  });
  return together;
}

/** `script` finds a character of the words' script: a piece without one would be shaped alone as another script. */
function shapeRun(
  harfbuzz: typeof HarfBuzz,
  fontId: FontId,
  words: readonly string[],
  script: RegExp,
  piecesOf: ReadonlyMap<string, readonly string[]>,
): number {
  if (words.length < 2) return 0;
  const { infos, positions } = harfBuzzRun(harfbuzz, fontId, words.join(SEPARATOR));
  // Left to right, each cluster's glyphs together: a word's glyphs are those between its cuts.
  if (infos.some((info, index) => index > 0 && info.cluster < infos[index - 1]!.cluster)) return 0;
  const cutBefore = (glyph: number, offset: number) =>
    glyph < infos.length &&
    infos[glyph]!.cluster === offset &&
    (glyph === 0 || (infos[glyph]!.flags & harfbuzz.GlyphFlag.UNSAFE_TO_BREAK) === 0);
  const take = (text: string, first: number, last: number, offset: number) =>
    remember(fontId, text, shapedSlice(text, infos, positions, first, last, offset));
  let together = 0;
  let glyph = 0;
  let offset = 0;
  words.forEach((word, index) => {
    const first = glyph;
    const end = offset + word.length;
    while (glyph < infos.length && infos[glyph]!.cluster < end) glyph += 1;
    const last = glyph;
    const isLast = index === words.length - 1;
    if (first < last && cutBefore(first, offset) && (isLast || cutBefore(last, end))) {
      take(word, first, last, offset);
      together += 1;
      // The word's own cuts hold for its first piece's start and its last piece's end.
      const parts = piecesOf.get(word) ?? [];
      let partGlyph = first;
      let partOffset = offset;
      parts.forEach((part, partIndex) => {
        const partFirst = partGlyph;
        const partEnd = partOffset + part.length;
        while (partGlyph < last && infos[partGlyph]!.cluster < partEnd) partGlyph += 1;
        if (
          partFirst < partGlyph &&
          (partIndex === 0 || cutBefore(partFirst, partOffset)) &&
          (partIndex === parts.length - 1 || cutBefore(partGlyph, partEnd)) &&
          script.test(part)
        ) {
          take(part, partFirst, partGlyph, partOffset);
          together += 1;
        }
        partOffset = partEnd;
      });
    }
    // Past the separator after the word.
    while (glyph < infos.length && infos[glyph]!.cluster <= end) glyph += 1;
    offset = end + 1;
  });
  return together;
}

/**
 * fontkit's shaping, for what is shaped before HarfBuzz has loaded. Each glyph's characters come from
 * the text, as HarfBuzz's clusters give them: as many glyphs as characters draw one each; otherwise a
 * glyph that is the one its character maps to draws that character, and any other (a ligature) the
 * characters up to where the next glyph's own character starts. fontkit's own glyph.codePoints are not used: a glyph object is shared per font
 * and keeps the characters of whatever text met it first in the process.
 */
export function shapeWithFontkit(fontId: FontId, text: string): ShapedText {
  const { font } = fonts()[fontId];
  const run = font.layout(text);
  const characters = [...text];
  const ownGlyph = (index: number) => (index < characters.length ? font.glyphForCodePoint(characters[index]!.codePointAt(0)!).id : -1);
  const oneToOne = run.glyphs.length === characters.length;
  let next = 0;
  const drawn = run.glyphs.map((glyph, index) => {
    const start = next;
    if (index === run.glyphs.length - 1) next = characters.length;
    else if (oneToOne || glyph.id === ownGlyph(start)) next = start + 1;
    else {
      // A ligature ends where the next glyph's character starts; a glyph substituted one for one
      // (old-style figures, say) is followed by no glyph of its own character: it draws one.
      const following = run.glyphs[index + 1]!.id;
      const end = characters.findIndex((_, at) => at > start && ownGlyph(at) === following);
      next = end === -1 ? start + 1 : end;
    }
    return characters.slice(start, next).join('');
  });
  return {
    glyphs: run.glyphs.map(({ id }) => ({ id })),
    positions: run.positions.map(({ xAdvance, xOffset, yOffset }) => ({ xAdvance, xOffset, yOffset })),
    advanceWidth: run.advanceWidth,
    characters: drawn,
  };
}

/** Each glyph's characters where the clusters are not in order (shapedSlice reads the others): its cluster's text on the cluster's first glyph, nothing on the rest. */
function charactersOutOfOrder(text: string, infos: readonly { readonly cluster: number }[]): string[] {
  const starts = [...new Set(infos.map((info) => info.cluster))].sort((a, b) => a - b);
  return infos.map((info, index) => {
    if (index > 0 && infos[index - 1]!.cluster === info.cluster) return '';
    const next = starts.find((start) => start > info.cluster) ?? text.length;
    return text.slice(info.cluster, next);
  });
}

/** Whether the font's cmap maps the character to a glyph. */
function hasGlyph(fontId: FontId, codePoint: number): boolean {
  return nominalGlyph(fontId, codePoint) !== 0;
}

/** What TextMeasurer knows of a character of the Basic Multilingual Plane. */
const [UNSEEN, DRAWABLE, MISSING] = [0, 1, 2];

/** Measures text in points the way the draw stage sets it: word by word, each word shaped once per process. */
export class TextMeasurer {
  /** Advance widths in em by font and word, so measuring a word again costs one lookup. */
  private readonly widths = new Map<FontId, Map<string, number>>();
  /** Glyphs by font and word, likewise. */
  private readonly glyphCounts = new Map<FontId, Map<string, number>>();
  /**
   * Whether each character seen so far has a glyph, by font: a document checks thousands of characters,
   * mostly the same. Those of the Basic Multilingual Plane by code unit (UNSEEN, DRAWABLE or MISSING),
   * read without making a string of each; the others by their text.
   */
  private readonly drawable = new Map<FontId, { readonly basic: Uint8Array; readonly beyond: Map<string, boolean> }>();
  /** Whole texts found drawable, by font: an agreement's clauses are checked again at every rendering. */
  private readonly drawableTexts = new Map<FontId, Set<string>>();

  width(text: string, fontId: FontId, size: number): number {
    // One word (most of what the breaker measures): no splitting and no counting of spaces.
    if (!text.includes(' ')) return (text === '' ? 0 : this.wordWidth(text, fontId)) * size;
    let ems = 0;
    for (const word of text.split(' ')) ems += word === '' ? 0 : this.wordWidth(word, fontId);
    const spaces = text.length - text.replaceAll(' ', '').length;
    if (spaces > 0) ems += spaces * this.wordWidth(' ', fontId);
    return ems * size;
  }

  /** Shapes the words of `texts` and `pieces` that will be measured, together (shapeTogether): measuring them then costs a lookup each. */
  prepare(texts: Iterable<string>, fontId: FontId, pieces: Iterable<readonly string[]> = []): void {
    shapeTogether(fontId, texts, pieces);
  }

  /** How many glyphs the text draws as the draw stage sets it (each takes a line's letter-spacing). */
  glyphCount(text: string, fontId: FontId): number {
    if (!text.includes(' ')) return text === '' ? 0 : this.wordGlyphs(text, fontId);
    let count = 0;
    for (const word of text.split(' ')) count += word === '' ? 0 : this.wordGlyphs(word, fontId);
    return count + (text.length - text.replaceAll(' ', '').length);
  }

  private wordGlyphs(word: string, fontId: FontId): number {
    let counts = this.glyphCounts.get(fontId);
    if (counts === undefined) this.glyphCounts.set(fontId, (counts = new Map()));
    let count = counts.get(word);
    if (count === undefined) {
      count = shape(fontId, word).glyphs.length;
      if (counts.size >= MAX_REMEMBERED_RUNS) counts.clear();
      counts.set(word, count);
    }
    return count;
  }

  private wordWidth(word: string, fontId: FontId): number {
    let widths = this.widths.get(fontId);
    if (widths === undefined) this.widths.set(fontId, (widths = new Map()));
    let ems = widths.get(word);
    if (ems === undefined) {
      ems = shape(fontId, word).advanceWidth / fontMetrics(fontId).unitsPerEm;
      // Bounded like the shaping it derives from.
      if (widths.size >= MAX_REMEMBERED_RUNS) widths.clear();
      widths.set(word, ems);
    }
    return ems;
  }

  /** How far the baseline stands below a line's top, in em (where the draw stage puts it). */
  ascent(fontId: FontId): number {
    const { ascent, unitsPerEm } = fontMetrics(fontId);
    return ascent / unitsPerEm;
  }

  /** The characters of `text` that the font has no glyph for (whitespace and soft hyphens aside). */
  missingCharacters(text: string, fontId: FontId): string[] {
    let drawableTexts = this.drawableTexts.get(fontId);
    if (drawableTexts === undefined) this.drawableTexts.set(fontId, (drawableTexts = new Set()));
    if (drawableTexts.has(text)) return [];
    let drawable = this.drawable.get(fontId);
    if (drawable === undefined) this.drawable.set(fontId, (drawable = { basic: new Uint8Array(0x10000), beyond: new Map() }));
    const { basic, beyond } = drawable;
    const isDrawable = (character: string, codePoint: number) => /[\s\u00ad]/u.test(character) || hasGlyph(fontId, codePoint);
    const missing = new Set<string>();
    for (let at = 0; at < text.length; at += 1) {
      const unit = text.charCodeAt(at);
      if (unit < 0xd800 || unit > 0xdfff) {
        let state = basic[unit]!;
        if (state === UNSEEN) basic[unit] = state = isDrawable(String.fromCharCode(unit), unit) ? DRAWABLE : MISSING;
        if (state === MISSING) missing.add(String.fromCharCode(unit));
        continue;
      }
      // A surrogate pair is one character; a lone surrogate is a character of its own, as iterating the text gives it.
      const codePoint = text.codePointAt(at)!;
      const character = String.fromCodePoint(codePoint);
      if (codePoint > 0xffff) at += 1;
      let known = beyond.get(character);
      if (known === undefined) beyond.set(character, (known = isDrawable(character, codePoint)));
      if (!known) missing.add(character);
    }
    if (missing.size === 0) {
      // Bounded like the widths.
      if (drawableTexts.size >= MAX_REMEMBERED_RUNS) drawableTexts.clear();
      drawableTexts.add(text);
    }
    return [...missing];
  }
}

import { sfnt } from './fonts.ts';

/**
 * A TrueType font program holding some of a font's glyphs, as a PDF embeds it for a CIDFontType2
 * (ISO 32000-1 §9.9: glyf, head, hhea, hmtx, loca, maxp, and cvt, fpgm and prep where the font has
 * them; a CID font's program needs no cmap, name, OS/2 or post). The glyphs' outlines are copied as
 * the font has them, so cutting a subset reads only the glyphs it holds: fontkit's subsetter decoded
 * each glyph and the 24,809-entry loca table and wrote them again, most of a first document's
 * drawing. Glyphs are renumbered as fontkit's subsetter numbers them: .notdef 0, then `glyphIds` in
 * order, then the components of composite glyphs as they are met.
 */
export interface TrueTypeSubset {
  readonly program: Buffer;
  /** The subset's glyph id (the PDF's CID) of each of `glyphIds`. */
  readonly cidOf: ReadonlyMap<number, number>;
  /** Each glyph's advance width by CID, in font units. */
  readonly advances: readonly number[];
}

/** Composite glyph flags (OpenType "glyf"): what follows a component's glyph index. */
const ARG_1_AND_2_ARE_WORDS = 0x0001;
const ARGS_ARE_XY_VALUES = 0x0002;
const WE_HAVE_A_SCALE = 0x0008;
const MORE_COMPONENTS = 0x0020;
const WE_HAVE_AN_X_AND_Y_SCALE = 0x0040;
const WE_HAVE_A_TWO_BY_TWO = 0x0080;
/** Tables a TrueType program's instructions use, copied whole when the font has them. */
const INSTRUCTION_TABLES = ['cvt ', 'fpgm', 'prep'] as const;

/** `outline` gives bytes of the glyf table (by default from `table`), so that a subset need not read all of them. */
export function subsetTrueType(
  table: (tag: string) => Buffer | undefined,
  glyphIds: Iterable<number>,
  outline: (start: number, end: number) => Buffer = (start, end) => table('glyf')!.subarray(start, end),
): TrueTypeSubset {
  const required = (tag: string) => {
    const data = table(tag);
    if (data === undefined) throw new Error(`the font has no ${tag} table: not a TrueType font`);
    return data;
  };
  const [head, hhea, maxp, hmtx, loca] = ['head', 'hhea', 'maxp', 'hmtx', 'loca'].map(required) as [
    Buffer,
    Buffer,
    Buffer,
    Buffer,
    Buffer,
    Buffer,
  ];
  const numGlyphs = maxp.readUInt16BE(4);
  const longMetrics = hhea.readUInt16BE(34);
  const glyphOffset = glyphOffsets(head, loca);

  const order: number[] = [];
  const cidOf = new Map<number, number>();
  const include = (id: number) => {
    if (!Number.isInteger(id) || id < 0 || id >= numGlyphs) throw new Error(`glyph ${id} is not in the font (${numGlyphs} glyphs)`);
    let cid = cidOf.get(id);
    if (cid === undefined) {
      cidOf.set(id, (cid = order.length));
      order.push(id);
    }
    return cid;
  };
  include(0);
  const requested = new Map<number, number>();
  for (const id of glyphIds) requested.set(id, include(id));

  const outlines: Buffer[] = [];
  // Grows while composite glyphs add their components.
  for (let cid = 0; cid < order.length; cid += 1) {
    const id = order[cid]!;
    let glyph = outline(glyphOffset(id), glyphOffset(id + 1));
    const components = componentIdOffsets(glyph);
    if (components.length > 0) {
      glyph = Buffer.from(glyph);
      // A composite glyph names its components by glyph id: each renumbered to its place in the subset.
      for (const at of components) glyph.writeUInt16BE(include(glyph.readUInt16BE(at)), at);
    }
    outlines.push(glyph);
  }

  // Short offsets (half the glyph's byte offset) when the outlines fit them: two bytes a glyph fewer.
  const padded = outlines.map((outline) => outline.length + (outline.length & 1));
  const glyfLength = padded.reduce((total, length) => total + length, 0);
  const short = glyfLength <= 0x1fffe;
  const newLoca = Buffer.alloc((order.length + 1) * (short ? 2 : 4));
  const newGlyf = Buffer.alloc(short ? glyfLength : outlines.reduce((total, outline) => total + outline.length, 0));
  let offset = 0;
  outlines.forEach((outline, cid) => {
    if (short) newLoca.writeUInt16BE(offset / 2, 2 * cid);
    else newLoca.writeUInt32BE(offset, 4 * cid);
    outline.copy(newGlyf, offset);
    offset += short ? padded[cid]! : outline.length;
  });
  if (short) newLoca.writeUInt16BE(offset / 2, 2 * order.length);
  else newLoca.writeUInt32BE(offset, 4 * order.length);

  // Advance and left side bearing of each glyph; the last advance stands for the glyphs after it that share it.
  const advanceOf = (id: number) => hmtx.readUInt16BE(4 * Math.min(id, longMetrics - 1));
  const bearingOf = (id: number) =>
    id < longMetrics ? hmtx.readInt16BE(4 * id + 2) : hmtx.readInt16BE(4 * longMetrics + 2 * (id - longMetrics));
  let newLongMetrics = order.length;
  while (newLongMetrics > 1 && advanceOf(order[newLongMetrics - 1]!) === advanceOf(order[newLongMetrics - 2]!)) newLongMetrics -= 1;
  const newHmtx = Buffer.alloc(4 * newLongMetrics + 2 * (order.length - newLongMetrics));
  order.forEach((id, cid) => {
    if (cid < newLongMetrics) {
      newHmtx.writeUInt16BE(advanceOf(id), 4 * cid);
      newHmtx.writeInt16BE(bearingOf(id), 4 * cid + 2);
    } else newHmtx.writeInt16BE(bearingOf(id), 4 * newLongMetrics + 2 * (cid - newLongMetrics));
  });

  const newHead = Buffer.from(head);
  newHead.writeInt16BE(short ? 0 : 1, 50);
  const newHhea = Buffer.from(hhea);
  newHhea.writeUInt16BE(newLongMetrics, 34);
  const newMaxp = Buffer.from(maxp);
  newMaxp.writeUInt16BE(order.length, 4);
  const instructions = INSTRUCTION_TABLES.flatMap((tag) => {
    const data = table(tag);
    return data === undefined ? [] : [{ tag, data }];
  });
  const program = sfnt(0x00010000, [
    { tag: 'head', data: newHead },
    { tag: 'hhea', data: newHhea },
    { tag: 'maxp', data: newMaxp },
    { tag: 'hmtx', data: newHmtx },
    { tag: 'loca', data: newLoca },
    { tag: 'glyf', data: newGlyf },
    ...instructions,
  ]);
  return { program, cidOf: requested, advances: order.map(advanceOf) };
}

/** Where each glyph's outline starts in glyf, by glyph id, as loca says in the format head names (glyph `id + 1`'s start is its end). */
export function glyphOffsets(head: Buffer, loca: Buffer): (id: number) => number {
  return head.readInt16BE(50) === 0 ? (id) => loca.readUInt16BE(2 * id) * 2 : (id) => loca.readUInt32BE(4 * id);
}

/**
 * Where a composite glyph's outline names its components (OpenType "glyf": each component's glyph
 * index, two bytes), in order; none for a simple glyph. A truncated outline gives the components
 * it holds whole, never a read past its end.
 */
export function componentIdOffsets(glyph: Buffer): number[] {
  const offsets: number[] = [];
  if (glyph.length < 10 || glyph.readInt16BE(0) >= 0) return offsets;
  for (let at = 10, flags = MORE_COMPONENTS; flags & MORE_COMPONENTS && at + 4 <= glyph.length; ) {
    flags = glyph.readUInt16BE(at);
    offsets.push(at + 2);
    at += 4 + (flags & ARG_1_AND_2_ARE_WORDS ? 4 : 2);
    if (flags & WE_HAVE_A_SCALE) at += 2;
    else if (flags & WE_HAVE_AN_X_AND_Y_SCALE) at += 4;
    else if (flags & WE_HAVE_A_TWO_BY_TWO) at += 8;
  }
  return offsets;
}

/** A point of a TrueType outline, in font units: on the curve, or the control point of a quadratic segment. */
export interface OutlinePoint {
  readonly x: number;
  readonly y: number;
  readonly onCurve: boolean;
}

/** Simple glyph flags (OpenType "glyf"): how each point's flags and coordinates are stored. */
const ON_CURVE_POINT = 0x01;
const X_SHORT_VECTOR = 0x02;
const Y_SHORT_VECTOR = 0x04;
const REPEAT_FLAG = 0x08;
const X_IS_SAME_OR_POSITIVE = 0x10;
const Y_IS_SAME_OR_POSITIVE = 0x20;

/**
 * A glyph's contours as the glyf table stores them, a composite glyph's components placed by their
 * offsets and transforms (not by matching points, which neither font does: it is refused), read from the glyph's own bytes (and its components'): fontkit decoded the
 * font's tables and every glyph object on the way, most of drawing a first draft's mark. `outline`
 * gives bytes of the glyf table.
 */
export function glyphContours(
  table: (tag: string) => Buffer | undefined,
  id: number,
  outline: (start: number, end: number) => Buffer,
): OutlinePoint[][] {
  const head = table('head');
  const loca = table('loca');
  if (head === undefined || loca === undefined) throw new Error('the font has no head or loca table: not a TrueType font');
  const glyphOffset = glyphOffsets(head, loca);
  const contoursOf = (glyph: number): OutlinePoint[][] => {
    const start = glyphOffset(glyph);
    const end = glyphOffset(glyph + 1);
    if (end <= start) return [];
    const data = outline(start, end);
    const contourCount = data.readInt16BE(0);
    return contourCount >= 0 ? simpleContours(data, contourCount) : compositeContours(data, contoursOf);
  };
  return contoursOf(id);
}

function simpleContours(data: Buffer, contourCount: number): OutlinePoint[][] {
  const ends: number[] = [];
  for (let index = 0; index < contourCount; index += 1) ends.push(data.readUInt16BE(10 + 2 * index));
  const pointCount = contourCount === 0 ? 0 : ends[contourCount - 1]! + 1;
  let at = 10 + 2 * contourCount;
  // Past the instructions.
  at += 2 + data.readUInt16BE(at);
  const flags = new Uint8Array(pointCount);
  for (let index = 0; index < pointCount; ) {
    const flag = data[at++]!;
    flags[index++] = flag;
    if (flag & REPEAT_FLAG) for (let repeat = data[at++]!; repeat > 0; repeat -= 1) flags[index++] = flag;
  }
  const xs = new Int32Array(pointCount);
  const ys = new Int32Array(pointCount);
  for (const [coordinates, short, same] of [
    [xs, X_SHORT_VECTOR, X_IS_SAME_OR_POSITIVE],
    [ys, Y_SHORT_VECTOR, Y_IS_SAME_OR_POSITIVE],
  ] as const) {
    let value = 0;
    for (let index = 0; index < pointCount; index += 1) {
      const flag = flags[index]!;
      if (flag & short) {
        const delta = data[at++]!;
        value += flag & same ? delta : -delta;
      } else if (!(flag & same)) {
        value += data.readInt16BE(at);
        at += 2;
      }
      coordinates[index] = value;
    }
  }
  const contours: OutlinePoint[][] = [];
  let first = 0;
  for (const last of ends) {
    const contour: OutlinePoint[] = [];
    for (let index = first; index <= last; index += 1)
      contour.push({ x: xs[index]!, y: ys[index]!, onCurve: (flags[index]! & ON_CURVE_POINT) !== 0 });
    contours.push(contour);
    first = last + 1;
  }
  return contours;
}

function compositeContours(data: Buffer, contoursOf: (glyph: number) => OutlinePoint[][]): OutlinePoint[][] {
  const contours: OutlinePoint[][] = [];
  const f2dot14 = (offset: number) => data.readInt16BE(offset) / 16384;
  // Each component record: flags, glyph index, then its offset and transform as the flags say.
  for (const idAt of componentIdOffsets(data)) {
    const flags = data.readUInt16BE(idAt - 2);
    if (!(flags & ARGS_ARE_XY_VALUES)) throw new Error('a composite glyph placed by matching points: not read here');
    const component = data.readUInt16BE(idAt);
    const words = (flags & ARG_1_AND_2_ARE_WORDS) !== 0;
    const dx = words ? data.readInt16BE(idAt + 2) : data.readInt8(idAt + 2);
    const dy = words ? data.readInt16BE(idAt + 4) : data.readInt8(idAt + 3);
    const at = idAt + (words ? 6 : 4);
    let [xx, xy, yx, yy] = [1, 0, 0, 1];
    if (flags & WE_HAVE_A_SCALE) xx = yy = f2dot14(at);
    else if (flags & WE_HAVE_AN_X_AND_Y_SCALE) [xx, yy] = [f2dot14(at), f2dot14(at + 2)];
    else if (flags & WE_HAVE_A_TWO_BY_TWO) [xx, yx, xy, yy] = [f2dot14(at), f2dot14(at + 2), f2dot14(at + 4), f2dot14(at + 6)];
    for (const contour of contoursOf(component))
      contours.push(contour.map(({ x, y, onCurve }) => ({ x: x * xx + y * xy + dx, y: y * yy + x * yx + dy, onCurve })));
  }
  return contours;
}

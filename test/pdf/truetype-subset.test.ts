import { expect } from 'chai';
import * as fontkit from 'fontkit';
import { fontTable, fontTablePart, fonts, sfnt, shape } from '../../server/pdf/fonts.ts';
import { glyphContours, subsetTrueType } from '../../server/pdf/truetype-subset.ts';

/** A TrueType font of the given glyph outlines (short loca), its tables by tag. */
function tinyFont(outlines: readonly Buffer[], advances: readonly number[]): (tag: string) => Buffer | undefined {
  const head = Buffer.alloc(54);
  head.writeUInt32BE(0x00010000, 0);
  head.writeUInt32BE(0x5f0f3cf5, 12);
  head.writeUInt16BE(1000, 18);
  head.writeInt16BE(0, 50);
  const hhea = Buffer.alloc(36);
  hhea.writeUInt32BE(0x00010000, 0);
  hhea.writeUInt16BE(advances.length, 34);
  const maxp = Buffer.alloc(6);
  maxp.writeUInt32BE(0x00005000, 0);
  maxp.writeUInt16BE(outlines.length, 4);
  const hmtx = Buffer.alloc(4 * advances.length);
  advances.forEach((advance, id) => {
    hmtx.writeUInt16BE(advance, 4 * id);
  });
  const loca = Buffer.alloc(2 * (outlines.length + 1));
  let offset = 0;
  outlines.forEach((outline, id) => {
    loca.writeUInt16BE(offset / 2, 2 * id);
    offset += outline.length;
  });
  loca.writeUInt16BE(offset / 2, 2 * outlines.length);
  const tables = new Map(Object.entries({ head, hhea, maxp, hmtx, loca, glyf: Buffer.concat(outlines) }));
  return (tag) => tables.get(tag);
}

/** A one-contour triangle (OpenType glyf, simple glyph): header, end point, no instructions, flags, x and y deltas, a pad byte. */
function triangle(size: number): Buffer {
  return Buffer.from([0, 1, 0, 0, 0, 0, 0, size, 0, size, 0, 2, 0, 0, 0x37, 0x37, 0x37, 0, size, 0, 0, 0, size, 0]);
}

/** A composite glyph of one component (word arguments, no scale), referring to glyph `component`. */
function composite(component: number, ...more: number[]): Buffer {
  const components = [component, ...more].map((glyph, index, all) => {
    const record = Buffer.alloc(8);
    record.writeUInt16BE(0x0001 | (index < all.length - 1 ? 0x0020 : 0), 0);
    record.writeUInt16BE(glyph, 2);
    record.writeInt16BE(10 * index, 4);
    return record;
  });
  const header = Buffer.alloc(10);
  header.writeInt16BE(-1, 0);
  return Buffer.concat([header, ...components]);
}

describe('TrueType subsets (truetype-subset)', () => {
  it('when a subset of Noto Serif KR is cut, then each CID draws its glyph of the font, with its advance, in a font whose checksums hold', () => {
    const ids = [...new Set(['Соглашение', '협정', 'Agreement'].flatMap((word) => shape('serif', word).glyphs.map(({ id }) => id)))].sort(
      (a, b) => a - b,
    );
    const { program, cidOf, advances } = subsetTrueType((tag) => fontTable('serif', tag), ids);
    const subset = fontkit.create(program) as fontkit.Font;
    const { font } = fonts().serif;
    expect(subset.numGlyphs).to.equal(ids.length + 1);
    expect([...cidOf.keys()]).to.deep.equal(ids);
    for (const id of ids) {
      const cid = cidOf.get(id)!;
      expect(subset.getGlyph(cid).path.toSVG(), `glyph ${id}`).to.equal(font.getGlyph(id).path.toSVG());
      expect(subset.getGlyph(cid).advanceWidth).to.equal(font.getGlyph(id).advanceWidth);
      expect(advances[cid]).to.equal(font.getGlyph(id).advanceWidth);
    }
    let sum = 0;
    for (let at = 0; at < program.length; at += 4) sum = (sum + program.readUInt32BE(at)) >>> 0;
    expect(sum.toString(16)).to.equal('b1b0afba');
  });

  it('when a composite glyph is cut, then its components come along after the glyphs asked for, renumbered', () => {
    const table = tinyFont([Buffer.alloc(0), triangle(10), triangle(20), composite(2, 1), triangle(40)], [500, 510, 520, 530, 540]);
    const font = fontkit.create(
      sfnt(
        0x00010000,
        ['head', 'hhea', 'maxp', 'hmtx', 'loca', 'glyf'].map((tag) => ({ tag, data: table(tag)! })),
      ),
    );
    const { program, cidOf, advances } = subsetTrueType(table, [3, 4]);
    expect([...cidOf]).to.deep.equal([
      [3, 1],
      [4, 2],
    ]);
    // .notdef, the two asked for, then the composite's components in their order.
    expect(advances).to.deep.equal([500, 530, 540, 520, 510]);
    const subset = fontkit.create(program) as fontkit.Font;
    const drawn = subset.getGlyph(1) as unknown as { _decode(): { components: { glyphID: number }[] } };
    expect(drawn._decode().components.map(({ glyphID }) => glyphID)).to.deep.equal([3, 4]);
    expect(subset.getGlyph(1).path.toSVG()).to.equal((font as fontkit.Font).getGlyph(3).path.toSVG());
  });

  it("when a glyph's contours are read from glyf, then they are the points fontkit decodes, on and off the curve", () => {
    for (const fontId of ['serif', 'serif-bold'] as const) {
      const { font } = fonts()[fontId];
      const ids = new Set(
        ['DRAFT · ПРОЕКТ · 초안 — v12 · 2018-07-20', 'Соглашение', '협정', 'Agreement'].flatMap((text) =>
          shape(fontId, text).glyphs.map(({ id }) => id),
        ),
      );
      for (const id of ids) {
        const glyph = font.getGlyph(id) as unknown as { _getContours(): { x: number; y: number; onCurve: boolean }[][] };
        const expected = glyph._getContours().map((contour) => contour.map(({ x, y, onCurve }) => ({ x, y, onCurve })));
        const contours = glyphContours(
          (tag) => fontTable(fontId, tag),
          id,
          (start, end) => fontTablePart(fontId, 'glyf', start, end),
        );
        expect(contours, `${fontId} glyph ${id}`).to.deep.equal(expected);
      }
    }
  });

  it("when a composite glyph's contours are read, then its components are placed at their offsets; placed by matching points, it is refused", () => {
    const placed = (flags: number) => {
      const glyph = Buffer.alloc(18);
      glyph.writeInt16BE(-1, 0);
      glyph.writeUInt16BE(flags, 10);
      glyph.writeUInt16BE(1, 12);
      glyph.writeInt16BE(5, 14);
      glyph.writeInt16BE(-7, 16);
      return glyph;
    };
    const table = tinyFont([Buffer.alloc(0), triangle(10), placed(0x0003), placed(0x0001)], [500, 510, 520, 530]);
    const outline = (start: number, end: number) => table('glyf')!.subarray(start, end);
    expect(glyphContours(table, 2, outline)).to.deep.equal([
      [
        { x: 5, y: -7, onCurve: true },
        { x: 15, y: -7, onCurve: true },
        { x: 15, y: 3, onCurve: true },
      ],
    ]);
    expect(() => glyphContours(table, 3, outline)).to.throw(/matching points/);
  });

  it('when a glyph id is not in the font, then no subset is cut', () => {
    expect(() => subsetTrueType((tag) => fontTable('serif', tag), [1_000_000])).to.throw(/glyph 1000000 is not in the font/);
  });
});

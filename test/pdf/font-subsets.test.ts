import { expect } from 'chai';
import { inflateSync } from 'node:zlib';
import { fontSubset } from '../../server/pdf/font-subsets.ts';
import { shape } from '../../server/pdf/fonts.ts';
import { renderAgreementPdf } from '../../server/pdf/render-pdf.ts';
import { buildDocument } from '../support/documents.ts';
import { tempFile, tool } from '../support/pdf-tools.ts';

const shaped = (...words: string[]) => words.map((word) => shape('serif', word));

/** The decoded font programs (FontFile2) of a PDF, by the font's name without its subset tag. */
async function fontPrograms(pdf: Buffer): Promise<Map<string, string>> {
  const file = tempFile('agreement.pdf', pdf);
  const { stdout } = await tool('qpdf', ['--json', '--json-key=qpdf', '--decode-level=generalized', '--json-stream-data=inline', file]);
  const objects = JSON.parse(stdout).qpdf[1] as Record<string, { value?: Record<string, string>; stream?: { data: string } }>;
  const programs = new Map<string, string>();
  for (const object of Object.values(objects)) {
    const descriptor = object.value;
    if (descriptor?.['/Type'] !== '/FontDescriptor') continue;
    const program = objects[`obj:${descriptor['/FontFile2']}`]!.stream!.data;
    programs.set(descriptor['/FontName']!.replace(/^\/[A-Z]{6}\+/, ''), program);
  }
  return programs;
}

describe('font subsets', () => {
  it('when the same glyphs come in another order, then it is the same subset, its CIDs in glyph-id order', () => {
    const subset = fontSubset('serif', shaped('협정 ', 'Соглашение'));
    expect(fontSubset('serif', shaped('Соглашение', '협정 ', 'Соглашение'))).to.equal(subset);
    const byGlyphId = [...subset.cidOf].sort(([a], [b]) => a - b).map(([, cid]) => cid);
    expect(byGlyphId).to.deep.equal([...byGlyphId].sort((a, b) => a - b));
    expect(subset.baseFont).to.match(/^[A-Z]{6}\+NotoSerifKR-Regular$/);
  });

  it('when the glyphs differ, then the subsets differ in name and content', () => {
    const one = fontSubset('serif', shaped('협정'));
    const other = fontSubset('serif', shaped('협력'));
    expect(other).not.to.equal(one);
    expect(other.baseFont).not.to.equal(one.baseFont);
    expect(other.program.deflated.equals(one.program.deflated)).to.equal(false);
  });

  it('when a space was first shaped as a no-break space in this process, then a text with spaces still extracts them as U+0020', () => {
    shape('serif', 'тридцать\u00a0дней');
    const subset = fontSubset('serif', shaped('тридцать ', 'дней'));
    const space = subset.cidOf.get(shape('serif', ' ').glyphs[0]!.id)!;
    const cmap = inflateSync(subset.toUnicode.deflated).toString('latin1');
    expect(cmap).to.include(`<${space.toString(16).padStart(4, '0')}> <0020>`);
  });

  it('when both originals of an agreement are rendered, then they embed byte-identical font programs', async () => {
    const [sverdlovsk, gyeonggi] = await Promise.all(
      ['sverdlovsk', 'gyeonggi'].map(async (party) =>
        fontPrograms((await renderAgreementPdf({ ...buildDocument({}, party), draft: null })).pdf),
      ),
    );
    expect([...sverdlovsk.keys()]).to.have.members(['NotoSerifKR-Regular', 'NotoSerifKR-Bold']);
    for (const [name, program] of sverdlovsk) expect(gyeonggi.get(name), name).to.equal(program);
  });
});

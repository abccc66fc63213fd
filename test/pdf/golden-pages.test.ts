import { expect } from 'chai';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';
import { composeAgreement } from '../../server/pdf/compose.ts';
import type { AgreementDocument } from '../../server/pdf/document-model.ts';
import { TextMeasurer } from '../../server/pdf/fonts.ts';
import type { Layout } from '../../server/pdf/layout-model.ts';
import { renderAgreementPdf } from '../../server/pdf/render-pdf.ts';
import { buildDocument } from '../support/documents.ts';
import { tempFile, tool } from '../support/pdf-tools.ts';

/**
 * Golden pages: a few pages of the demo agreement rasterised by pdftoppm and compared with the
 * committed images in test/fixtures/golden/, so a layout regression (a moved column, a lost line, a
 * changed break) fails even when every position test still passes. After an intended change of the
 * layout, look at the new images and commit them:
 *
 *     UPDATE_GOLDEN=1 npx mocha test/pdf/golden-pages.test.ts
 *
 * A failure writes the rendered page and a diff image to test-output/golden/.
 */

const GOLDEN_DIR = path.join(import.meta.dirname, '..', 'fixtures', 'golden');
const OUTPUT_DIR = path.join(import.meta.dirname, '..', '..', 'test-output', 'golden');
/** Low resolution keeps the references small; lines of text are still a few pixels high. */
const DPI = 40;
/** Anti-aliasing differences between poppler builds are tolerated; a moved line of text is not. */
const MAX_DIFFERING_PIXELS = 0.002;
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const first = () => 1;
const last = (layout: Layout) => layout.pages.length;
const secondText = (layout: Layout) => layout.sectionStarts.filter((start) => start.key === 'title')[1]!.page + 1;

/** One-based page numbers, found from the layout so that a page added earlier fails as a page, not as a shift. */
const PAGES: readonly { name: string; document: AgreementDocument; page: (layout: Layout) => number }[] = [
  { name: 'parallel-ru-ko-first', document: { ...buildDocument(), draft: null }, page: first },
  { name: 'parallel-ru-ko-signatures', document: { ...buildDocument(), draft: null }, page: last },
  { name: 'parallel-ko-ru-draft-first', document: buildDocument({}, 'gyeonggi'), page: first },
  { name: 'parallel-ru-ko-en-first', document: { ...buildDocument({ languages: ['ru', 'ko', 'en'] }), draft: null }, page: first },
  { name: 'sequential-ru-ko-second-text', document: { ...buildDocument(), layout: 'sequential', draft: null }, page: secondText },
];

/** The page as pdftoppm's PNG file: grey, since colour adds bytes but no layout. */
async function rasterize(document: AgreementDocument, page: number): Promise<Buffer> {
  const file = tempFile('golden.pdf', (await renderAgreementPdf(document)).pdf);
  const prefix = file.replace(/\.pdf$/, '');
  const { code, stderr } = await tool('pdftoppm', [
    '-r',
    `${DPI}`,
    '-gray',
    '-png',
    '-f',
    `${page}`,
    '-l',
    `${page}`,
    '-singlefile',
    file,
    prefix,
  ]);
  expect(code, stderr).to.equal(0);
  return readFileSync(`${prefix}.png`);
}

describe('golden pages (pdftoppm against committed images)', () => {
  for (const { name, document, page } of PAGES) {
    it(`when ${name} is rendered, then it matches test/fixtures/golden/${name}.png`, async () => {
      const rendered = await rasterize(document, page(composeAgreement(document, new TextMeasurer())));
      const reference = path.join(GOLDEN_DIR, `${name}.png`);
      if (UPDATE) {
        mkdirSync(GOLDEN_DIR, { recursive: true });
        writeFileSync(reference, rendered);
        return;
      }
      expect(existsSync(reference), `${reference} is missing: run with UPDATE_GOLDEN=1 to create it`).to.equal(true);
      const [actual, expected] = [PNG.sync.read(rendered), PNG.sync.read(readFileSync(reference))];
      expect([actual.width, actual.height], 'page size').to.deep.equal([expected.width, expected.height]);
      const diff = new PNG({ width: actual.width, height: actual.height });
      const differing = pixelmatch(actual.data, expected.data, diff.data, actual.width, actual.height, { threshold: 0.1 });
      const share = differing / (actual.width * actual.height);
      if (share > MAX_DIFFERING_PIXELS) {
        mkdirSync(OUTPUT_DIR, { recursive: true });
        writeFileSync(path.join(OUTPUT_DIR, `${name}.actual.png`), PNG.sync.write(actual));
        writeFileSync(path.join(OUTPUT_DIR, `${name}.diff.png`), PNG.sync.write(diff));
      }
      expect(share, `${differing} pixels differ; see test-output/golden/${name}.diff.png`).to.be.at.most(MAX_DIFFERING_PIXELS);
    });
  }
});

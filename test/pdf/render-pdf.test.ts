import { expect } from 'chai';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { RuleViolationError } from '../../server/errors.ts';
import { composeAgreement } from '../../server/pdf/compose.ts';
import type { TextBox } from '../../server/pdf/layout-model.ts';
import type { AgreementDocument } from '../../server/pdf/document-model.ts';
import { TextMeasurer } from '../../server/pdf/fonts.ts';
import { TYPOGRAPHY } from '../../server/pdf/typesetter.ts';
import { renderAgreementPdf } from '../../server/pdf/render-pdf.ts';
import type { Lang } from '../../server/text/languages.ts';
import type { Block } from '../../server/text/markup.ts';
import { buildDocument } from '../support/documents.ts';
import { tempFile, tool } from '../support/pdf-tools.ts';

/** The variants every PDF check runs on: both layouts, two and three languages, drafts and finals. */
const VARIANTS: readonly { name: string; document: AgreementDocument }[] = [
  { name: 'parallel ru/ko, final', document: { ...buildDocument(), draft: null } },
  { name: 'parallel ru/ko, draft', document: buildDocument({}, 'gyeonggi') },
  { name: 'sequential ru/ko, final', document: { ...buildDocument({}, 'gyeonggi'), layout: 'sequential', draft: null } },
  { name: 'parallel ru/ko/en, final', document: { ...buildDocument({ languages: ['ru', 'ko', 'en'] }), draft: null } },
  { name: 'sequential ru/ko/en, draft', document: { ...buildDocument({ languages: ['ru', 'ko', 'en'] }), layout: 'sequential' } },
];

const normalize = (text: string) => text.replace(/\s+/g, ' ').trim();

/** One language's text as the model has it, in reading order, list labels included. */
function modelText(document: AgreementDocument, lang: Lang): string {
  const blocks = (content: readonly Block[] | undefined) =>
    (content ?? []).flatMap((block) =>
      block.type === 'paragraph' ? [block.text] : block.items.map((item, index) => `${block.ordered ? `${index + 1})` : '–'} ${item}`),
    );
  return normalize(
    [
      document.title[lang]!,
      ...blocks(document.preamble[lang]),
      ...document.articles.flatMap((article) => [article.heading[lang]!, ...blocks(article.body[lang])]),
      ...blocks(document.finalClause[lang]),
    ].join(' '),
  );
}

/** Pairs of { path, structure } from qpdf's JSON: every object that is a structure element. */
async function structureElements(file: string): Promise<{ type: string; lang: string | null }[]> {
  const { stdout } = await tool('qpdf', ['--json', '--json-key=qpdf', file]);
  const objects = Object.values(JSON.parse(stdout).qpdf[1] as Record<string, { value?: Record<string, unknown> }>);
  return objects
    .map((object) => object.value)
    .filter((value): value is Record<string, unknown> => typeof value?.['/S'] === 'string' && value['/P'] !== undefined)
    .map((value) => ({
      type: String(value['/S']).slice(1),
      lang: typeof value['/Lang'] === 'string' ? value['/Lang'].replace(/^u:/, '') : null,
    }));
}

/** pdftotext's crop to a column between the running header and the page number, on every page. */
function textArea(pageSize: readonly [number, number], x: number, width: number): string[] {
  const { top, bottom } = TYPOGRAPHY.margin;
  return [
    '-x',
    `${Math.floor(x - 2)}`,
    '-y',
    `${top - 4}`,
    '-W',
    `${Math.ceil(width + 4)}`,
    '-H',
    `${Math.ceil(pageSize[1] - top - bottom + 8)}`,
  ];
}

describe('the PDF (render-pdf), checked by poppler and qpdf', () => {
  const files = new Map<string, string>();
  before(async () => {
    for (const { name, document } of VARIANTS) files.set(name, tempFile('agreement.pdf', (await renderAgreementPdf(document)).pdf));
  });

  for (const { name, document } of VARIANTS) {
    describe(name, () => {
      it('when checked by qpdf, then there are no errors and no warnings', async () => {
        const { stdout, stderr, code } = await tool('qpdf', ['--check', files.get(name)!]);
        expect(code, stdout + stderr).to.equal(0);
        expect(stderr).to.equal('');
        expect(stdout).to.not.match(/WARNING/i);
      });

      it('when read by pdfinfo, then it is tagged and carries its title, subject and language', async () => {
        const { stdout } = await tool('pdfinfo', [files.get(name)!]);
        expect(stdout).to.match(/^Tagged:\s+yes$/m);
        expect(normalize(stdout)).to.include(`Title: ${normalize(document.metadata.title)}`);
        expect(stdout).to.match(/^Subject:\s+Agreement$/m);
        const { stdout: json } = await tool('qpdf', ['--json', '--json-key=qpdf', files.get(name)!]);
        expect(json).to.include(`"/Lang": "u:${document.metadata.lang}"`);
      });

      it('when checked by pdffonts, then both fonts are embedded as subsets with a Unicode map', async () => {
        const { stdout } = await tool('pdffonts', [files.get(name)!]);
        const rows = stdout
          .split('\n')
          .slice(2)
          .filter((line) => line.trim() !== '');
        expect(rows.map((row) => row.split(/\s+/)[0]!.replace(/^[A-Z]{6}\+/, ''))).to.have.members([
          'NotoSerifKR-Bold',
          'NotoSerifKR-Regular',
        ]);
        for (const row of rows) expect(row, row).to.match(/^[A-Z]{6}\+\S+\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes\s+\d+\s+\d+\s*$/);
      });

      it('when its structure is read, then there is one section per language with its Lang, headings H1/H2, and one P per paragraph', async () => {
        const elements = await structureElements(files.get(name)!);
        const sections = elements.filter((element) => element.type === 'Sect' && element.lang !== null);
        expect(sections.map((element) => element.lang)).to.have.members(
          document.languages.map((lang) => ({ ru: 'ru-RU', ko: 'ko-KR', en: 'en-GB' })[lang]),
        );
        expect(elements.filter((element) => element.type === 'H1')).to.have.length(document.languages.length);
        expect(elements.filter((element) => element.type === 'H2')).to.have.length(document.languages.length * document.articles.length);
        const paragraphs = document.languages.flatMap((lang) =>
          [document.preamble[lang]!, ...document.articles.map((article) => article.body[lang]!), document.finalClause[lang]!]
            .flat()
            .filter((block) => block.type === 'paragraph'),
        );
        const signatureLines = elements.filter((element) => element.type === 'P' && element.lang !== null).length;
        expect(elements.filter((element) => element.type === 'P').length - signatureLines).to.equal(paragraphs.length);
        expect(elements.filter((element) => element.type === 'LI').length).to.be.greaterThan(0);
      });

      it('when its pages’ content is read, then marked content and text objects nest, and each MCID is a kid of the element the parent tree names', async () => {
        const file = files.get(name)!;
        const { stdout } = await tool('qpdf', ['--json', '--json-key=qpdf', file]);
        const objects = JSON.parse(stdout).qpdf[1] as Record<string, { value?: unknown }>;
        const values = Object.entries(objects).flatMap(([key, { value }]) =>
          value !== null && typeof value === 'object' && !Array.isArray(value)
            ? [[key.replace(/^obj:/, ''), value as Record<string, unknown>] as const]
            : [],
        );
        const nums = (values.find(([, value]) => value['/Type'] === '/StructTreeRoot')![1]['/ParentTree'] as { '/Nums': unknown[] })[
          '/Nums'
        ];
        const parentTree = new Map<unknown, string[]>();
        for (let at = 0; at < nums.length; at += 2) parentTree.set(nums[at], nums[at + 1] as string[]);
        // Each marked-content reference of a structure element, as "page mcid": the element's own.
        const owners = new Map<string, string>();
        for (const [reference, value] of values) {
          if (typeof value['/S'] !== 'string' || value['/P'] === undefined) continue;
          for (const kid of [value['/K'] ?? []].flat() as unknown[]) {
            if (typeof kid === 'number') owners.set(`${value['/Pg']} ${kid}`, reference);
            else if ((kid as Record<string, unknown>)['/Type'] === '/MCR') {
              const { '/Pg': page, '/MCID': mcid } = kid as Record<string, unknown>;
              owners.set(`${page} ${mcid}`, reference);
            }
          }
        }
        const pages = values.filter(([, value]) => value['/Type'] === '/Page');
        expect(pages.length).to.be.greaterThan(0);
        for (const [reference, page] of pages) {
          const contents = String(page['/Contents']).split(' ')[0];
          const { stdout: content } = await tool('qpdf', [`--show-object=${contents}`, '--filtered-stream-data', file]);
          // Strings (the glyph codes) left out: their bytes may read as anything.
          const operators = content.replace(/\((?:\\.|[^\\)])*\)/gs, '()').match(/\b(?:BDC|EMC|BT|ET)\b/g) ?? [];
          const open: string[] = [];
          for (const operator of operators) {
            if (operator === 'BDC' || operator === 'BT') open.push(operator);
            else expect(open.pop(), `${operator} on page ${reference}`).to.equal(operator === 'EMC' ? 'BDC' : 'BT');
          }
          expect(open, `left open on page ${reference}`).to.deep.equal([]);
          const mcids = [...content.matchAll(/\/MCID (\d+)/g)].map((match) => Number(match[1]));
          const parents = parentTree.get(page['/StructParents']) ?? [];
          expect(mcids).to.deep.equal(parents.map((_, index) => index));
          for (const mcid of mcids) expect(owners.get(`${reference} ${mcid}`), `MCID ${mcid} on page ${reference}`).to.equal(parents[mcid]);
        }
      });
    });
  }

  it('when the text of each column of a final parallel original is extracted, then it is that language’s clause text, hyphens undone', async () => {
    const { name, document } = VARIANTS[0]!;
    const { pageSize } = composeAgreement(document, new TextMeasurer());
    const { margin, columnGap } = TYPOGRAPHY;
    const columnWidth = (pageSize[0] - margin.left - margin.right - columnGap) / 2;
    for (const [index, lang] of document.languages.entries()) {
      const x = margin.left + index * (columnWidth + columnGap);
      const { stdout } = await tool('pdftotext', [...textArea(pageSize, x, columnWidth), files.get(name)!, '-']);
      // The signature blocks below the final clause straddle the columns and may follow. A Korean word
      // broken between syllables (the breaker's last resort) is extracted as two, so Korean is compared
      // without its spaces.
      const [extracted, model] = [normalize(stdout), modelText(document, lang)].map((text) =>
        lang === 'ko' ? text.replaceAll(' ', '') : text,
      );
      expect(extracted!.startsWith(model!), `${lang}: ${normalize(stdout)}`).to.equal(true);
    }
  });

  it('when poppler locates the words of the first page, then each line starts where the layout put it and a justified line ends at the column edge', async () => {
    const { name, document } = VARIANTS[0]!;
    const layout = composeAgreement(document, new TextMeasurer());
    const { stdout } = await tool('pdftotext', ['-bbox', '-f', '1', '-l', '1', files.get(name)!, '-']);
    const words = [...stdout.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">/g)].map(
      ([, xMin, yMin, xMax]) => ({ xMin: Number(xMin), yMin: Number(yMin), xMax: Number(xMax) }),
    );
    const lines = layout.pages[0]!.boxes.filter(
      (box) => box.kind === 'text' && box.element !== null && box.text.trim() !== '',
    ) as TextBox[];
    expect(lines.length).to.be.greaterThan(30);
    for (const line of lines) {
      // poppler puts a word's top an ascender above its baseline: where the layout's line box starts.
      const onLine = words.filter((word) => Math.abs(word.yMin - line.y) < 1);
      expect(
        onLine.some((word) => Math.abs(word.xMin - line.x) < 0.1),
        `start of "${line.text}"`,
      ).to.equal(true);
      if (line.align === 'justify')
        expect(
          onLine.some((word) => Math.abs(word.xMax - (line.x + line.width)) < 0.1),
          `end of "${line.text}"`,
        ).to.equal(true);
    }
  });

  it('when the text of a final sequential original is extracted, then it reads each language’s whole text in turn', async () => {
    const { name, document } = VARIANTS[2]!;
    const { pageSize } = composeAgreement(document, new TextMeasurer());
    const width = pageSize[0] - TYPOGRAPHY.margin.left - TYPOGRAPHY.margin.right;
    const { stdout } = await tool('pdftotext', [...textArea(pageSize, TYPOGRAPHY.margin.left, width), files.get(name)!, '-']);
    const text = normalize(stdout);
    const [first, second] = document.languages.map((lang) => modelText(document, lang));
    expect(text.startsWith(first!), text).to.equal(true);
    expect(text.indexOf(second!)).to.be.greaterThan(first!.length);
  });

  it('when a draft is rendered, then its DRAFT mark is one form XObject that every page draws, and a final has none', async () => {
    type QpdfObject = { value?: Record<string, unknown>; stream?: { dict: Record<string, unknown> } };
    const objectsOf = async (name: string) => {
      const { stdout } = await tool('qpdf', ['--json', '--json-key=qpdf', files.get(name)!]);
      return Object.entries(JSON.parse(stdout).qpdf[1] as Record<string, QpdfObject>);
    };
    const forms = (objects: [string, QpdfObject][]) => objects.filter(([, object]) => object.stream?.dict['/Subtype'] === '/Form');
    const draft = await objectsOf('parallel ru/ko, draft');
    expect(forms(draft)).to.have.length(1);
    const formRef = forms(draft)[0]![0].replace(/^obj:/, '');
    const pages = draft.filter(([, object]) => object.value?.['/Type'] === '/Page');
    const xobjects = draft.flatMap(([, object]) => (object.value?.['/XObject'] ? [object.value['/XObject']] : []));
    expect(pages.length).to.be.greaterThan(1);
    expect(xobjects).to.have.length(pages.length);
    for (const resources of xobjects) expect(resources).to.deep.equal({ '/DraftMark': formRef });
    expect(forms(await objectsOf('parallel ru/ko, final'))).to.have.length(0);
  });

  it('when a draft is rendered, then its objects are in object streams with a cross-reference stream, and a final original has a classic table', async () => {
    const trailerOf = async (name: string) => {
      const { stdout, code, stderr } = await tool('qpdf', ['--show-xref', files.get(name)!]);
      expect(code, stderr).to.equal(0);
      return stdout;
    };
    const draft = await trailerOf('parallel ru/ko, draft');
    // qpdf lists an object inside an object stream as "compressed; stream = n, index = i".
    expect(draft).to.match(/: compressed; stream = \d+/);
    const final = await trailerOf('parallel ru/ko, final');
    expect(final).not.to.match(/: compressed/);
    const { document } = VARIANTS[1]!;
    const measure = new TextMeasurer();
    const { drawPdf } = await import('../../server/pdf/draw.ts');
    const plain = await drawPdf(composeAgreement(document, measure), document.metadata);
    const rendered = (await renderAgreementPdf(document)).pdf;
    expect(rendered.length).to.be.lessThan(plain.length * 0.9);
    expect(rendered.toString('latin1')).to.match(/\/Type \/XRef/);
  });

  it('when the same version is rendered twice, then the bytes are the same', async () => {
    const { document } = VARIANTS[1]!;
    const [first, second] = [await renderAgreementPdf(document), await renderAgreementPdf(document)];
    expect(first.pdf.equals(second.pdf)).to.equal(true);
  });

  it('when a fresh process renders the same version, then its bytes equal those of a process that remembers shaping, lines and subsets', async () => {
    const { document } = VARIANTS[1]!;
    const warm = createHash('sha256')
      .update((await renderAgreementPdf(document)).pdf)
      .digest('hex');
    const script = [
      `import { createHash } from 'node:crypto';`,
      `import { renderAgreementPdf } from ${JSON.stringify(path.resolve('server/pdf/render-pdf.ts'))};`,
      `import { buildDocument } from ${JSON.stringify(path.resolve('test/support/documents.ts'))};`,
      `const { pdf } = await renderAgreementPdf(buildDocument({}, 'gyeonggi'));`,
      `console.log(createHash('sha256').update(pdf).digest('hex'));`,
    ].join('\n');
    const { stdout, stderr, code } = await tool(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script]);
    expect(code, stderr).to.equal(0);
    expect(stdout.trim()).to.equal(warm);
  });

  it('when a fresh process starts from the stored typesetting cache, then it renders the bytes of a process that typeset everything itself', async () => {
    const { document } = VARIANTS[1]!;
    const warm = createHash('sha256')
      .update((await renderAgreementPdf(document)).pdf)
      .digest('hex');
    const cacheFile = tempFile('typesetting.json', '');
    const inFreshProcess = async (lines: readonly string[]) => {
      const script = [
        `import { createHash } from 'node:crypto';`,
        `import { renderAgreementPdf } from ${JSON.stringify(path.resolve('server/pdf/render-pdf.ts'))};`,
        `import { loadTypesettingCache, storeTypesettingCache } from ${JSON.stringify(path.resolve('server/pdf/typesetting-cache.ts'))};`,
        `import { buildDocument } from ${JSON.stringify(path.resolve('test/support/documents.ts'))};`,
        ...lines,
      ].join('\n');
      const { stdout, stderr, code } = await tool(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script]);
      expect(code, stderr).to.equal(0);
      return stdout.trim();
    };
    const file = JSON.stringify(cacheFile);
    // One process typesets a document of other text (its other original) and stores what it remembers ...
    await inFreshProcess([`await renderAgreementPdf(buildDocument({}, 'sverdlovsk'));`, `storeTypesettingCache(${file});`]);
    // ... the next starts from it: shaped words, broken paragraphs and subsets it did not make itself.
    const fromCache = await inFreshProcess([
      `console.log(loadTypesettingCache(${file}));`,
      `const { pdf } = await renderAgreementPdf(buildDocument({}, 'gyeonggi'));`,
      `console.log(createHash('sha256').update(pdf).digest('hex'));`,
    ]);
    expect(fromCache.split('\n')).to.deep.equal(['true', warm]);
  });

  it('when Korean words too long for the column must be broken between syllables, then the rendering reports how many, and what else the breaker resorted to', async () => {
    const document = { ...buildDocument({ languages: ['ru', 'ko', 'en'] }), draft: null };
    const article = document.articles[2]!;
    const withKorean = (text: string) => ({
      ...document,
      articles: [{ ...article, body: { ...article.body, ko: [{ type: 'paragraph' as const, text }] } }],
    });
    const plain = (await renderAgreementPdf(withKorean('양측은 협력한다.'))).typesetting;
    const compounds = '지방자치단체간우호협력관계증진을위한 공동사업추진계획을수립하였다. '.repeat(4).trim();
    const broken = (await renderAgreementPdf(withKorean(compounds))).typesetting;
    expect(broken.syllableBreaks).to.be.above(plain.syllableBreaks);
    expect(broken.emergencyParagraphs).to.equal(plain.emergencyParagraphs + 1);
    expect(broken.overLimitLines).to.equal(plain.overLimitLines);
  });

  it('when the text holds a character no font can draw, then rendering fails loudly, naming it, and draws nothing', async () => {
    const document = buildDocument();
    const article = document.articles[2]!;
    const broken = {
      ...document,
      articles: [{ ...article, body: { ...article.body, ru: [{ type: 'paragraph' as const, text: 'Стороны \u{1F91D} сотрудничают' }] } }],
    };
    const error = await renderAgreementPdf(broken).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).to.be.instanceOf(RuleViolationError);
    expect((error as RuleViolationError).extensions).to.deep.include({
      clause: article.key,
      lang: 'ru',
      character: '\u{1F91D}',
      codePoint: 'U+1F91D',
    });
  });
});

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import type { AgreementDocument } from '../server/pdf/document-model.ts';
import { FONT_FILES } from '../server/pdf/fonts.ts';
import { renderAgreementPdf } from '../server/pdf/render-pdf.ts';
import { renderPreviewHtml } from '../server/preview/preview-html.ts';
import { originalsWithArticles } from './agreement-fixtures.ts';
import { formatTable, isMain, percentile, writeResults, type BenchRow } from './bench-results.ts';

/**
 * `npm run bench` (or alone: `tsx bench/render-bench.ts`): the same agreement typeset by Bilateral
 * (pdfkit) and by headless Chromium printing the HTML preview with the same font files, warm, per
 * document: median and p95. Prints figures and writes bench/results/render-bench.json; asserts nothing.
 * The target (issue 3): ten times faster than Chromium and at most a quarter of its bytes.
 */

const ARTICLES = 20;
const WARM_UP = 3;
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const RESULTS = path.join(import.meta.dirname, 'results');
const FONT_ORIGIN = 'http://fonts.bench.invalid';

/** The preview as Chromium gets it: the same page, the same TTF files declared with @font-face. */
export function previewWithFonts(document: AgreementDocument): string {
  const faces = `<style>
@font-face { font-family: 'Noto Serif KR'; font-weight: 400; src: url(${FONT_ORIGIN}/serif.ttf) format('truetype'); }
@font-face { font-family: 'Noto Serif KR'; font-weight: 700; src: url(${FONT_ORIGIN}/serif-bold.ttf) format('truetype'); }
</style>`;
  return renderPreviewHtml(document).replace('</head>', `${faces}\n</head>`);
}

export async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = performance.now();
  const result = await run();
  return { ms: performance.now() - start, result };
}

/**
 * The document as the next version after an edit of its first article in every language, so that
 * run's rendering has text it has not set before: a new paragraph to break, new words to shape.
 */
export function edited(document: AgreementDocument, version: number): AgreementDocument {
  const [first, ...rest] = document.articles;
  const added: Record<string, string> = { ru: `Редакция ${version}.`, ko: `개정 ${version}.`, en: `Revision ${version}.` };
  const body = Object.fromEntries(
    Object.entries(first!.body).map(([lang, blocks]) => [
      lang,
      blocks!.map((block, index) =>
        index === 0 && block.type === 'paragraph' ? { ...block, text: `${block.text} ${added[lang]}` } : block,
      ),
    ]),
  );
  return { ...document, articles: [{ ...first!, body }, ...rest] };
}

/** Warm runs, then the median and p95 time per document and the bytes of each document. */
async function measure(
  documents: readonly AgreementDocument[],
  render: (document: AgreementDocument) => Promise<Buffer>,
  version?: (document: AgreementDocument, run: number) => AgreementDocument,
) {
  for (let run = 0; run < WARM_UP; run += 1)
    for (const document of documents) await render(version ? version(document, -run - 1) : document);
  const times: number[] = [];
  let outputs: Buffer[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    outputs = [];
    for (const document of documents) {
      const next = version ? version(document, run + 1) : document;
      const { ms, result } = await timed(() => render(next));
      times.push(ms);
      outputs.push(result);
    }
  }
  return {
    medianMs: percentile(times, 50),
    p95Ms: percentile(times, 95),
    samples: times.length,
    bytes: outputs.map((output) => output.length),
    outputs,
  };
}

export async function chromiumRenderer(): Promise<{
  render: (document: AgreementDocument) => Promise<Buffer>;
  close: () => Promise<void>;
  fontRequests: () => number;
}> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const page: Page = await browser.newPage();
  let fontRequests = 0;
  // The fonts are served once and cached like any web font, so warm runs do not pay for 14 MB again.
  await page.route(`${FONT_ORIGIN}/*`, async (route) => {
    fontRequests += 1;
    const file = path.basename(new URL(route.request().url()).pathname, '.ttf') as keyof typeof FONT_FILES;
    await route.fulfill({
      body: readFileSync(FONT_FILES[file]),
      contentType: 'font/ttf',
      headers: { 'cache-control': 'public, max-age=31536000', 'access-control-allow-origin': '*' },
    });
  });
  return {
    render: async (document) => {
      await page.setContent(previewWithFonts(document));
      await page.evaluate('document.fonts.ready');
      // Tagged, as ours are: the same accessible deliverable.
      return page.pdf({ preferCSSPageSize: true, printBackground: true, tagged: true });
    },
    close: () => browser.close(),
    fontRequests: () => fontRequests,
  };
}

const kib = (bytes: readonly number[]) => bytes.map((count) => `${(count / 1024).toFixed(1)} KiB`).join(' + ');
const total = (bytes: readonly number[]) => bytes.reduce((sum, count) => sum + count, 0);

/** Renders with both, prints the comparison, writes the PDFs; returns the rows for the table. */
export async function runRenderBench(): Promise<BenchRow[]> {
  const documents = originalsWithArticles(ARTICLES);
  const renderPdf = async (document: AgreementDocument) => (await renderAgreementPdf(document)).pdf;
  // The first rendering in this process: the font files parsed, nothing shaped or remembered yet.
  const first = await timed(() => renderPdf(documents[0]!));
  const bilateral = await measure(documents, renderPdf);
  const bilateralEdited = await measure(documents, renderPdf, edited);
  const browser = await chromiumRenderer();
  const chromiumResult = await measure(documents, browser.render).finally(() => browser.close());
  const fontRequests = browser.fontRequests();

  mkdirSync(RESULTS, { recursive: true });
  documents.forEach((document, index) => {
    const party = document.signatureBlocks[0]!.party;
    writeFileSync(path.join(RESULTS, `bilateral-${party}.pdf`), bilateral.outputs[index]!);
    writeFileSync(path.join(RESULTS, `chromium-${party}.pdf`), chromiumResult.outputs[index]!);
  });

  const speedup = chromiumResult.medianMs / bilateral.medianMs;
  const byteRatio = total(bilateral.bytes) / total(chromiumResult.bytes);
  console.log(`${ARTICLES}-article ru/ko agreement, both originals; warm, ${RUNS} runs per document: median and p95`);
  console.log(
    `  Bilateral  ${bilateral.medianMs.toFixed(1).padStart(8)} ms  p95 ${bilateral.p95Ms.toFixed(1).padStart(8)} ms   ${kib(bilateral.bytes)}`,
  );
  console.log(
    `    a new version each run (first article edited): ${bilateralEdited.medianMs.toFixed(1)} ms, p95 ${bilateralEdited.p95Ms.toFixed(1)} ms; the first rendering in the process: ${first.ms.toFixed(0)} ms`,
  );
  console.log(
    `  Chromium   ${chromiumResult.medianMs.toFixed(1).padStart(8)} ms  p95 ${chromiumResult.p95Ms.toFixed(1).padStart(8)} ms   ${kib(chromiumResult.bytes)}   (font files fetched ${fontRequests}×)`,
  );
  console.log(`  ratio      ${speedup.toFixed(1)}× faster (target ≥ 10×), ${byteRatio.toFixed(2)} of Chromium's bytes (target ≤ 0.25)`);
  console.log(`  PDFs written to ${path.relative(process.cwd(), RESULTS)}/`);

  const row = (name: string, result: typeof bilateral, note: string): BenchRow => ({
    benchmark: 'render',
    case: `${ARTICLES} articles ru/ko, ${name}, per original`,
    samples: result.samples,
    p50Ms: result.medianMs,
    p95Ms: result.p95Ms,
    bytes: total(result.bytes) / result.bytes.length,
    note,
  });
  return [
    row(
      'Bilateral (pdfkit)',
      bilateral,
      `${speedup.toFixed(1)}× faster than Chromium (target ≥ 10×); ${byteRatio.toFixed(2)} of its bytes (target ≤ 0.25)`,
    ),
    row(
      'Bilateral, a new version each run',
      bilateralEdited,
      `first article edited in each language before each run: ${(chromiumResult.medianMs / bilateralEdited.medianMs).toFixed(1)}× faster than Chromium`,
    ),
    {
      benchmark: 'render',
      case: `${ARTICLES} articles ru/ko, Bilateral, first rendering in the process`,
      samples: 1,
      p50Ms: first.ms,
      note: 'font files parsed; no word shaped, no paragraph broken, no subset built yet',
    },
    row('headless Chromium', chromiumResult, 'prints the HTML preview with the same fonts'),
  ];
}

if (isMain(import.meta.url)) {
  const rows = await runRenderBench();
  console.log(formatTable(rows));
  console.log(`  written to ${path.relative(process.cwd(), writeResults('render-bench', rows))}`);
}

import type { AgreementDocument } from '../server/pdf/document-model.ts';
import { renderAgreementPdf } from '../server/pdf/render-pdf.ts';
import { demoDocument } from './agreement-fixtures.ts';
import { chromiumRenderer } from './render-bench.ts';
import { typstRenderer } from './typst-renderer.ts';

/**
 * `tsx bench/cold-render.ts bilateral|typst|chromium`: the first document of a fresh process, as the
 * three-way bench (typeset-bench.ts) starts it: the demo draft in ru/ko/en, timed from after the code is
 * loaded to the PDF's bytes (font files read, compiler or browser started, everything shaped anew).
 * Prints one JSON line: { ms, bytes }.
 */

const system = process.argv[2];
const document: AgreementDocument = demoDocument({ final: false });
const start = performance.now();
let pdf: Buffer;
if (system === 'bilateral') pdf = (await renderAgreementPdf(document)).pdf;
else if (system === 'typst') pdf = typstRenderer().render(document);
else if (system === 'chromium') {
  const browser = await chromiumRenderer();
  pdf = await browser.render(document).finally(() => browser.close());
} else throw new Error('usage: tsx bench/cold-render.ts bilateral|typst|chromium');
const ms = performance.now() - start;
console.log(JSON.stringify({ ms, bytes: pdf.length }));

import type { AgreementDocument } from '../server/pdf/document-model.ts';
import { renderAgreementPdf } from '../server/pdf/render-pdf.ts';
import { loadTypesettingCache } from '../server/pdf/typesetting-cache.ts';
import { demoDocument } from './agreement-fixtures.ts';
import { chromiumRenderer } from './render-bench.ts';
import { typstRenderer } from './typst-renderer.ts';

/**
 * `tsx bench/cold-render.ts bilateral|typst|chromium`: the first document of a fresh process, as the
 * three-way bench (typeset-bench.ts) starts it: the demo draft in ru/ko/en, timed from after the code is
 * loaded to the PDF's bytes (font files read, compiler or browser started, everything shaped anew).
 * `bilateral cached`: the same with the file `npm run typesetting-cache` stores read first (its reading
 * timed too), as the server's rendering threads start. Prints one JSON line: { ms, bytes, cached }.
 */

const system = process.argv[2];
const cached = process.argv[3] === 'cached';
const document: AgreementDocument = demoDocument({ final: false });
const start = performance.now();
let pdf: Buffer;
let found = false;
if (system === 'bilateral') {
  if (cached) found = loadTypesettingCache();
  pdf = (await renderAgreementPdf(document)).pdf;
} else if (system === 'typst') pdf = typstRenderer().render(document);
else if (system === 'chromium') {
  const browser = await chromiumRenderer();
  pdf = await browser.render(document).finally(() => browser.close());
} else throw new Error('usage: tsx bench/cold-render.ts bilateral|typst|chromium');
const ms = performance.now() - start;
console.log(JSON.stringify({ ms, bytes: pdf.length, cached: found }));

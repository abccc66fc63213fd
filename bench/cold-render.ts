import type { AgreementDocument } from '../server/pdf/document-model.ts';
import { shaperReady } from '../server/pdf/fonts.ts';
import { renderAgreementPdf } from '../server/pdf/render-pdf.ts';
import { loadTypesettingCache } from '../server/pdf/typesetting-cache.ts';
import { demoDocument } from './agreement-fixtures.ts';
import { chromiumRenderer, edited } from './render-bench.ts';
import { typstRenderer } from './typst-renderer.ts';

/**
 * `tsx bench/cold-render.ts bilateral|typst|chromium`: the first document of a fresh process, as the
 * three-way bench (typeset-bench.ts) starts it: the demo draft in ru/ko/en, timed from after the code is
 * loaded to the PDF's bytes (font files read, compiler or browser started, everything shaped anew).
 * Bilateral's code includes HarfBuzz's WebAssembly, which its module compiles when it is imported, as
 * Typst's native compiler is loaded with its module: under tsx that import finishes behind the rest of
 * the code's (most of a second), so the timing starts once it has.
 * `bilateral cached`: the same with the file `npm run typesetting-cache` stores read first (its reading
 * timed too), as the server's rendering threads start; `bilateral cached edited`: and the first article
 * edited in every language, as a user's new version is (render-bench.ts edited), so what it adds is
 * shaped, hyphenated and broken anew. Prints one JSON line: { ms, bytes, cached }.
 */

const system = process.argv[2];
const cached = process.argv[3] === 'cached';
const draft = demoDocument({ final: false });
const document: AgreementDocument = process.argv[4] === 'edited' ? edited(draft, 1) : draft;
if (system === 'bilateral') await shaperReady();
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

import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { AgreementDocument } from '../server/pdf/document-model.ts';
import type { TypesettingReport } from '../server/pdf/layout-model.ts';
import { JUSTIFICATION } from '../server/pdf/line-breaking.ts';
import { renderAgreementPdf } from '../server/pdf/render-pdf.ts';
import { demoDocument } from './agreement-fixtures.ts';
import { formatTable, isMain, percentile, RESULTS_DIRECTORY, writeResults, type BenchRow } from './bench-results.ts';
import { chromiumRenderer, edited, timed } from './render-bench.ts';
import { demoFinalOriginals, longTermOriginals } from './signing-bench.ts';
import { formatQuality, typesetQuality, type TypesetQuality } from './typeset-quality.ts';
import { typstRenderer } from './typst-renderer.ts';

/**
 * `npm run bench` (or alone: `tsx bench/typeset-bench.ts`): the demo agreement of cooperation in
 * ru | ko | en (A4 landscape) typeset by Bilateral, by Typst from a source generated from the same
 * document model (typst-source.ts) and by headless Chromium printing the preview, in one run, with the
 * same two Noto Serif KR files: the first document of a fresh process (each system in a process of its
 * own, BENCH_COLD_RUNS times), a warm rendering of a new version with an article edited, the bytes of
 * the draft and of the final original, and the quality of the final original's justified text measured
 * the same way for all three (typeset-quality.ts). Prints them side by side; asserts nothing.
 * Bilateral's final original is also carried to what the server keeps of it: signed by both parties and
 * B-LTA (signing-bench.ts longTermOriginals), whose bytes stand next to the others' unsigned final.
 */

const SYSTEMS = ['bilateral', 'typst', 'chromium'] as const;
type System = (typeof SYSTEMS)[number];
const NAMES: Record<System, string> = {
  bilateral: 'Bilateral',
  typst: 'Typst (typst-ts-node-compiler 0.7)',
  chromium: 'Chromium page.pdf of the preview',
};
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 3);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
/** Enough renderings before timing that each system's code is compiled (V8's JIT, Typst's incremental caches): what a server that has run a while does. */
const WARM_UP = Number(process.env.BENCH_WARM_UP ?? 20);
const run = promisify(execFile);

/**
 * Bilateral's fresh process: with nothing stored, with the stored typesetting cache, and with the cache
 * and the first article edited (a user's new version: what the cache has not seen is typeset anew).
 */
type Start = 'uncached' | 'cached' | 'cached edited';

/** The first document in a fresh process of its own (bench/cold-render.ts): the median of the runs. */
async function cold(system: System, start: Start = 'uncached'): Promise<number> {
  const times: number[] = [];
  for (let index = 0; index < COLD_RUNS; index += 1) {
    const script = path.join(import.meta.dirname, 'cold-render.ts');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', script, system, ...(start === 'uncached' ? [] : start.split(' '))]);
    times.push((JSON.parse(stdout.trim().split('\n').at(-1)!) as { ms: number }).ms);
  }
  return percentile(times, 50);
}

/** Warm renderings of a new version each run (the first article edited in every language). */
async function warmEdited(render: (document: AgreementDocument) => Promise<Buffer>, document: AgreementDocument) {
  for (let index = 0; index < WARM_UP; index += 1) await render(edited(document, -index - 1));
  const times: number[] = [];
  for (let index = 0; index < RUNS; index += 1) times.push((await timed(() => render(edited(document, index + 1)))).ms);
  return { p50: percentile(times, 50), p95: percentile(times, 95), samples: times.length };
}

interface SystemResult {
  readonly coldMs: number;
  /** Bilateral only: the fresh process reads the stored typesetting cache first; and renders a new version with an article edited. */
  readonly cachedColdMs?: number;
  readonly editedColdMs?: number;
  readonly warm: { p50: number; p95: number; samples: number };
  readonly draftBytes: number;
  readonly finalBytes: number;
  readonly quality: TypesetQuality;
}

export async function runTypesetBench(): Promise<BenchRow[]> {
  const draft = demoDocument({ final: false });
  const final = demoDocument({ final: true });
  mkdirSync(RESULTS_DIRECTORY, { recursive: true });
  const browser = await chromiumRenderer();
  const typst = typstRenderer();
  const renderers: Record<System, (document: AgreementDocument) => Promise<Buffer>> = {
    bilateral: async (document) => (await renderAgreementPdf(document)).pdf,
    typst: async (document) => typst.render(document),
    chromium: browser.render,
  };
  const results = {} as Record<System, SystemResult>;
  // What the server's rendering threads start from after `npm run typesetting-cache` (run at install).
  await run(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, '..', 'server', 'pdf', 'typesetting-cache-cli.ts')]);
  try {
    for (const system of SYSTEMS) {
      const coldMs = await cold(system);
      const cachedColdMs = system === 'bilateral' ? await cold(system, 'cached') : undefined;
      const editedColdMs = system === 'bilateral' ? await cold(system, 'cached edited') : undefined;
      const render = renderers[system];
      const warm = await warmEdited(render, draft);
      const draftPdf = await render(draft);
      const finalPdf = await render(final);
      const file = path.join(RESULTS_DIRECTORY, `typeset-${system}.pdf`);
      writeFileSync(path.join(RESULTS_DIRECTORY, `typeset-${system}-draft.pdf`), draftPdf);
      writeFileSync(file, finalPdf);
      results[system] = {
        coldMs,
        cachedColdMs,
        editedColdMs,
        warm,
        draftBytes: draftPdf.length,
        finalBytes: finalPdf.length,
        quality: typesetQuality(file),
      };
      console.log(`  ${NAMES[system]}: cold ${coldMs.toFixed(0)} ms, warm edited ${warm.p50.toFixed(1)} ms, ${draftPdf.length} bytes`);
    }
  } finally {
    await browser.close();
  }
  const resorts = breakerResorts((await renderAgreementPdf(final)).typesetting);
  const [signedRevisions] = await longTermOriginals(await demoFinalOriginals());
  const signedBytes = signedRevisions!.at(-1)!.length;

  const bytes = (value: number) => value.toLocaleString('en-US');
  const ofOthers = (value: number) =>
    `${(value / results.typst.finalBytes).toFixed(2)} of Typst's final, ${(value / results.chromium.finalBytes).toFixed(2)} of Chromium's`;
  console.log(`\nThe demo agreement, ru | ko | en, A4 landscape; cold: median of ${COLD_RUNS} fresh processes; warm: p50 of ${RUNS}`);
  const header = [
    'system',
    'cold ms (with the stored cache; and an article edited)',
    'warm, article edited ms (p50 / p95)',
    'draft bytes',
    'final original bytes',
    'signed original bytes (both parties, B-LTA)',
  ];
  const body = SYSTEMS.map((system) => {
    const result = results[system];
    return [
      NAMES[system],
      `${result.coldMs.toFixed(0)}${result.cachedColdMs === undefined ? '' : ` (${result.cachedColdMs.toFixed(0)}; ${result.editedColdMs!.toFixed(0)})`}`,
      `${result.warm.p50.toFixed(1)} / ${result.warm.p95.toFixed(1)}`,
      bytes(result.draftBytes),
      bytes(result.finalBytes),
      system === 'bilateral' ? `${bytes(signedBytes)} (${ofOthers(signedBytes)})` : '—',
    ];
  });
  const widths = header.map((cell, index) => Math.max(cell.length, ...body.map((row) => row[index]!.length)));
  console.log(
    [header, widths.map((width) => '-'.repeat(width)), ...body]
      .map((row) => `| ${row.map((cell, index) => cell.padEnd(widths[index]!)).join(' | ')} |`)
      .join('\n'),
  );
  const revisionNames = [
    'frozen with the empty signature fields',
    'signed by Sverdlovsk',
    'signed by Gyeonggi',
    'DSS and document timestamp',
  ];
  const growth = signedRevisions!.map(
    (revision, index) =>
      `${revisionNames[index] ?? `revision ${index + 1}`} ${bytes(revision.length)}${index === 0 ? '' : ` (+${bytes(revision.length - signedRevisions![index - 1]!.length)})`}`,
  );
  console.log(`\nBilateral's signed original, revision by revision: ${growth.join('; ')}`);
  console.log(`\nQuality of the final original's justified text (pdftotext -bbox-layout; the signature page left out):`);
  console.log(formatQuality(SYSTEMS.map((system) => ({ name: NAMES[system], quality: results[system].quality }))));
  console.log(`Bilateral's line breaker, in the final original: ${resorts}`);

  const { bilateral, typst: typstResult, chromium } = results;
  return SYSTEMS.flatMap((system): BenchRow[] => {
    const result = results[system];
    const q = result.quality;
    const quality = `flush left ${q.flushLeft} of ${q.justifiedLines}, word gap p95 ${q.wordGapP95.toFixed(2)} / max ${q.wordGapMax.toFixed(2)} em, ${q.hyphenated} hyphens (runs ≤ ${q.longestHyphenRun})${system === 'bilateral' ? `; ${resorts}` : ''}`;
    const ratios =
      system === 'bilateral'
        ? `; ${(bilateral.draftBytes / typstResult.draftBytes).toFixed(2)} of Typst's bytes, ${(bilateral.draftBytes / chromium.draftBytes).toFixed(2)} of Chromium's`
        : '';
    const cachedRows: BenchRow[] =
      result.cachedColdMs === undefined
        ? []
        : [
            {
              benchmark: 'typeset',
              case: `demo ru/ko/en, ${NAMES[system]}, first document in a fresh process with the stored typesetting cache`,
              samples: COLD_RUNS,
              p50Ms: result.cachedColdMs,
              note: `npm run typesetting-cache (the clause library's agreements); Typst's first: ${typstResult.coldMs.toFixed(0)} ms`,
            },
            {
              benchmark: 'typeset',
              case: `demo ru/ko/en, ${NAMES[system]}, first document in a fresh process with the stored typesetting cache, an article edited`,
              samples: COLD_RUNS,
              p50Ms: result.editedColdMs,
              note: `what the edit added shaped, hyphenated and broken anew; Typst's first: ${typstResult.coldMs.toFixed(0)} ms`,
            },
          ];
    const signedRow: BenchRow[] =
      system === 'bilateral'
        ? [
            {
              benchmark: 'typeset',
              case: `demo ru/ko/en, ${NAMES[system]}, final original signed by both parties, B-LTA (as the demo server makes it)`,
              bytes: signedBytes,
              note: `${ofOthers(signedBytes)}; ${growth.join('; ')}`,
            },
          ]
        : [];
    return [
      {
        benchmark: 'typeset',
        case: `demo ru/ko/en, ${NAMES[system]}, first document in a fresh process`,
        samples: COLD_RUNS,
        p50Ms: result.coldMs,
        bytes: result.draftBytes,
        note: `draft; final original ${bytes(result.finalBytes)} bytes${ratios}`,
      },
      ...cachedRows,
      ...signedRow,
      {
        benchmark: 'typeset',
        case: `demo ru/ko/en, ${NAMES[system]}, warm, an article edited`,
        samples: result.warm.samples,
        p50Ms: result.warm.p50,
        p95Ms: result.warm.p95,
        note: quality,
      },
    ];
  });
}

/** What the line breaker resorted to, as the typesetter counts it (the other systems say nothing of theirs). */
function breakerResorts({ emergencyParagraphs, syllableBreaks, overLimitLines }: TypesettingReport): string {
  return `emergency stretch in ${emergencyParagraphs} paragraphs, ${syllableBreaks} Korean words broken between syllables, ${overLimitLines} justified lines over the limit (word spaces past ${JUSTIFICATION.maxWordSpace} em, or a lone word letter-spaced past ${JUSTIFICATION.letterStretch} em)`;
}

if (isMain(import.meta.url)) {
  const rows = await runTypesetBench();
  console.log(formatTable(rows));
  console.log(`  written to ${path.relative(process.cwd(), writeResults('typeset-bench', rows))}`);
}

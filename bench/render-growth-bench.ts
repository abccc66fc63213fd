import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { renderAgreementPdf } from '../server/pdf/render-pdf.ts';
import { processMemory } from '../test/support/process-memory.ts';
import { originalsWithArticles } from './agreement-fixtures.ts';
import { formatTable, isMain, percentile, writeResults, type BenchRow } from './bench-results.ts';

/**
 * How rendering grows with the length of the agreement: the ru/ko agreement with 20, 50 and 100
 * articles, both originals, each length in a fresh process so its memory is its own. Time per original
 * (median, p95), pages, bytes, and the resident memory the rendering added on top of a process that
 * has already loaded the fonts (peak minus the level before). Asserts nothing.
 */

const LENGTHS = [20, 50, 100];
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const WARM_UP = 2;

interface Measured {
  readonly articles: number;
  readonly samples: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly bytes: number;
  readonly pages: number;
  readonly baselineRssMiB: number;
  readonly peakRssMiB: number;
}

/** In the child: fonts loaded by a short render first, then the level of memory, then the measured renders. */
async function measureInThisProcess(articles: number): Promise<Measured> {
  await renderAgreementPdf(originalsWithArticles(1)[0]!);
  const baselineRssMiB = processMemory(process.pid).rssMiB;
  const documents = originalsWithArticles(articles);
  for (let run = 0; run < WARM_UP; run += 1) for (const document of documents) await renderAgreementPdf(document);
  const times: number[] = [];
  let pdf: Buffer = Buffer.alloc(0);
  for (let run = 0; run < RUNS; run += 1) {
    for (const document of documents) {
      const start = performance.now();
      pdf = (await renderAgreementPdf(document)).pdf;
      times.push(performance.now() - start);
    }
  }
  return {
    articles,
    samples: times.length,
    p50Ms: percentile(times, 50),
    p95Ms: percentile(times, 95),
    bytes: pdf.length,
    pages: pdf.toString('latin1').match(/\/Type \/Page\b(?!s)/g)?.length ?? 0,
    baselineRssMiB,
    peakRssMiB: processMemory(process.pid).peakRssMiB,
  };
}

const run = promisify(execFile);

export async function runRenderGrowthBench(): Promise<BenchRow[]> {
  const measured: Measured[] = [];
  for (const articles of LENGTHS) {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', path.join(import.meta.dirname, 'render-growth-bench.ts'), '--child', String(articles)],
      {
        timeout: 600_000,
        env: { ...process.env, BENCH_RUNS: String(RUNS) },
      },
    );
    measured.push(JSON.parse(stdout.trim().split('\n').at(-1)!));
  }
  const first = measured[0]!;
  return measured.map((result) => ({
    benchmark: 'render growth',
    case: `${result.articles} articles ru/ko, per original (${result.pages} pages)`,
    samples: result.samples,
    p50Ms: result.p50Ms,
    p95Ms: result.p95Ms,
    bytes: result.bytes,
    peakRssMiB: result.peakRssMiB,
    note:
      `+${(result.peakRssMiB - result.baselineRssMiB).toFixed(0)} MiB over the process with fonts loaded` +
      (result === first
        ? ''
        : `; ${(result.p50Ms / first.p50Ms).toFixed(1)}× the time of ${first.articles} articles for ${(result.articles / first.articles).toFixed(1)}× the articles`),
  }));
}

if (process.argv[2] === '--child') {
  process.stdout.write(`${JSON.stringify(await measureInThisProcess(Number(process.argv[3])))}\n`);
} else if (isMain(import.meta.url)) {
  const rows = await runRenderGrowthBench();
  console.log(formatTable(rows));
  console.log(`  written to ${path.relative(process.cwd(), writeResults('render-growth-bench', rows))}`);
}

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatTable, machine, RESULTS_DIRECTORY, writeResults, type BenchRow } from './bench-results.ts';
import { runListBench } from './list-bench.ts';
import { runRenderBench } from './render-bench.ts';
import { runRenderGrowthBench } from './render-growth-bench.ts';
import { runSigningBench } from './signing-bench.ts';
import { runTypesetBench } from './typeset-bench.ts';
import { runWorkflowBench } from './workflow-bench.ts';
import { runWordBench } from './word-bench.ts';

/**
 * `npm run bench`: every benchmark in turn (rendering against Chromium, rendering by length, signing,
 * workflow transitions, the agreements list, the Word round trip), then one table of all figures, with the peak memory of
 * each server process. Writes bench/results/bench.json (and one file per benchmark) and
 * bench/results/bench.md, the table the README shows. Benchmarks assert nothing; tests never time.
 * BENCH_ONLY=render,workflow runs some of them (written as bench-render-workflow.*);
 * BENCH_DATABASES=sqlite skips PostgreSQL.
 */

interface Section {
  readonly name: string;
  readonly run: () => Promise<BenchRow[]>;
}

const SECTIONS: readonly Section[] = [
  { name: 'render', run: runRenderBench },
  { name: 'typeset', run: runTypesetBench },
  { name: 'render-growth', run: runRenderGrowthBench },
  { name: 'signing', run: runSigningBench },
  { name: 'workflow', run: runWorkflowBench },
  { name: 'list', run: runListBench },
  { name: 'word', run: runWordBench },
];

const only = process.env.BENCH_ONLY?.split(',').map((name) => name.trim());
const rows: BenchRow[] = [];
const started = Date.now();
for (const section of SECTIONS.filter((candidate) => !only || only.includes(candidate.name))) {
  console.log(`\n== ${section.name}`);
  const sectionRows = await section.run();
  writeResults(`${section.name}-bench`, sectionRows);
  rows.push(...sectionRows);
}

// Memory last, all together: each server process's peak, and rendering's by length.
const ordered = [...rows.filter((row) => row.benchmark !== 'memory'), ...rows.filter((row) => row.benchmark === 'memory')];
const table = formatTable(ordered);
const about = machine();
const heading = `Bilateral benchmarks, ${new Date().toISOString().slice(0, 10)}: Node ${about.node}, ${about.cpus} × ${about.cpuModel}, load average ${about.loadAverage1m} at the end; ${((Date.now() - started) / 60_000).toFixed(1)} min`;
console.log(`\n${heading}\n\n${table}`);
// A partial run (BENCH_ONLY) does not overwrite the figures of the last whole one.
const name = only ? `bench-${only.join('-')}` : 'bench';
const json = writeResults(name, ordered);
writeFileSync(path.join(RESULTS_DIRECTORY, `${name}.md`), `${heading}\n\n${table}\n`);
console.log(`\nwritten to ${path.relative(process.cwd(), json)} and bench/results/${name}.md`);

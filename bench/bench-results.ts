import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { processMemory } from '../test/support/process-memory.ts';

/**
 * What every benchmark reports: rows of one shape, so `npm run bench` (bench/run-all.ts) prints them
 * as one table. A benchmark run on its own prints its rows and writes them to
 * bench/results/<name>.json (git-ignored). Empty fields do not apply.
 */
export interface BenchRow {
  /** render, render growth, signing, workflow, list, memory. */
  readonly benchmark: string;
  /** What was measured, e.g. "SQLite, 16 clients". */
  readonly case: string;
  /** How many timed samples the percentiles come from. */
  readonly samples?: number;
  readonly p50Ms?: number;
  readonly p95Ms?: number;
  readonly p99Ms?: number;
  /** Operations per second (transitions, requests). */
  readonly perSecond?: number;
  readonly bytes?: number;
  /** Peak resident memory of the process that did the work, in MiB. */
  readonly peakRssMiB?: number;
  readonly note?: string;
}

export const RESULTS_DIRECTORY = path.join(import.meta.dirname, 'results');

/** The machine, so figures from different runs can be compared fairly. */
export function machine() {
  return {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
  };
}

export function writeResults(name: string, rows: readonly BenchRow[]): string {
  mkdirSync(RESULTS_DIRECTORY, { recursive: true });
  const file = path.join(RESULTS_DIRECTORY, `${name}.json`);
  writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), machine: machine(), rows }, null, 2)}\n`);
  return file;
}

/** The p-th percentile (0..100) by nearest rank; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const COLUMNS: readonly [title: string, cell: (row: BenchRow) => string][] = [
  ['benchmark', (row) => row.benchmark],
  ['case', (row) => row.case],
  ['n', (row) => (row.samples === undefined ? '' : String(row.samples))],
  ['p50 ms', (row) => milliseconds(row.p50Ms)],
  ['p95 ms', (row) => milliseconds(row.p95Ms)],
  ['p99 ms', (row) => milliseconds(row.p99Ms)],
  ['per s', (row) => (row.perSecond === undefined ? '' : row.perSecond.toFixed(row.perSecond < 10 ? 2 : 0))],
  ['bytes', (row) => (row.bytes === undefined ? '' : kib(row.bytes))],
  ['peak RSS', (row) => (row.peakRssMiB === undefined ? '' : `${row.peakRssMiB.toFixed(0)} MiB`)],
  ['note', (row) => row.note ?? ''],
];

const milliseconds = (value: number | undefined) =>
  value === undefined || Number.isNaN(value) ? '' : value < 10 ? value.toFixed(2) : value.toFixed(0);
const kib = (bytes: number) => (bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(2)} MiB`);

/** The rows as a Markdown table (what the README shows), columns that are empty everywhere left out. */
export function formatTable(rows: readonly BenchRow[]): string {
  const columns = COLUMNS.filter(([, cell]) => rows.some((row) => cell(row) !== ''));
  const cells = rows.map((row) => columns.map(([, cell]) => cell(row).replaceAll('|', '\\|')));
  const widths = columns.map(([title], index) => Math.max(title.length, ...cells.map((line) => line[index]!.length)));
  const line = (values: readonly string[]) => `| ${values.map((value, index) => value.padEnd(widths[index]!)).join(' | ')} |`;
  return [line(columns.map(([title]) => title)), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join('\n');
}

/** Samples a process's resident memory until stopped; the peak it saw, in MiB. */
export function sampleMemory(pid: number, intervalMs = 50): { stop: () => number } {
  let peak = processMemory(pid).rssMiB;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, processMemory(pid).rssMiB);
    } catch {
      // the process is gone; keep what was seen
    }
  }, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      try {
        peak = Math.max(peak, processMemory(pid).rssMiB);
      } catch {
        // gone
      }
      return peak;
    },
  };
}

/** True when the module was started as the program (`tsx bench/x.ts`), not imported by run-all. */
export function isMain(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && path.resolve(process.argv[1]) === new URL(moduleUrl).pathname;
}

/** One line on the console while a benchmark runs, so a long run shows where it is. */
export function progress(row: BenchRow): void {
  const figures = [
    row.p50Ms === undefined ? '' : `p50 ${milliseconds(row.p50Ms)} ms`,
    row.p99Ms === undefined ? '' : `p99 ${milliseconds(row.p99Ms)} ms`,
    row.perSecond === undefined ? '' : `${row.perSecond.toFixed(row.perSecond < 10 ? 2 : 0)}/s`,
    row.peakRssMiB === undefined ? '' : `peak RSS ${row.peakRssMiB.toFixed(0)} MiB`,
  ].filter(Boolean);
  console.log(`  ${row.benchmark}: ${row.case}: ${figures.join(', ')}`);
}

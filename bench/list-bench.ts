import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { openDatabase, type Database } from '../db/connection.ts';
import { processMemory } from '../test/support/process-memory.ts';
import { startServerProcess } from '../test/support/server-process.ts';
import { signInDemoUsers } from '../test/support/workflow-driver.ts';
import { benchDatabaseKinds, createBenchDatabase, KIND_LABEL, type DatabaseKind } from './bench-database.ts';
import { formatTable, isMain, percentile, progress, sampleMemory, writeResults, type BenchRow } from './bench-results.ts';

/**
 * `GET /api/agreements` with 10,000 agreements in the database (both demo parties are party to all of
 * them, so the list holds all 10,000), against a real server process, on SQLite and on PostgreSQL:
 * one client in turn, then 16 at once. The agreements are copies of one made through the API,
 * inserted straight into the tables (agreements, their parties, their text) to save the time of 10,000
 * creations; the list reads only the first two.
 */

const AGREEMENTS = Number(process.env.BENCH_LIST_AGREEMENTS ?? 10_000);
const SEQUENTIAL = 40;
const CONCURRENT_CLIENTS = 16;
const CONCURRENT_REQUESTS_EACH = 5;
const BATCH = 500;

/** Copies agreement `templateId` until the database holds `total` agreements. */
async function fillWithCopies(db: Database, templateId: number, total: number): Promise<void> {
  const { id: _id, ...agreement } = await db('agreements').where({ id: templateId }).first();
  const parties: { party_key: string; position: number }[] = await db('agreement_parties')
    .where({ agreement_id: templateId })
    .select('party_key', 'position');
  const { agreement_id: _agreementId, ...text } = await db('text_versions').where({ agreement_id: templateId }).orderBy('version').first();
  let count = Number((await db('agreements').count({ count: '*' }))[0]!.count);
  for (let batch = 0; count < total && batch < Math.ceil(total / BATCH) + 1; batch += 1) {
    const size = Math.min(BATCH, total - count);
    await db.transaction(async (trx) => {
      const [{ max }] = await trx('agreements').max({ max: 'id' });
      await trx.batchInsert(
        'agreements',
        Array.from({ length: size }, (_, index) => ({ ...agreement, title: `${agreement.title} (${count + index + 1})` })),
        100,
      );
      const ids: number[] = await trx('agreements').where('id', '>', max).orderBy('id').pluck('id');
      await trx.batchInsert(
        'agreement_parties',
        ids.flatMap((id) => parties.map((party) => ({ ...party, agreement_id: id }))),
        200,
      );
      await trx.batchInsert(
        'text_versions',
        ids.map((id) => ({ ...text, agreement_id: id })),
        100,
      );
    });
    count += size;
  }
}

async function benchDatabase(kind: DatabaseKind): Promise<BenchRow[]> {
  const database = await createBenchDatabase(kind);
  const server = await startServerProcess(database.url, randomBytes(32).toString('hex'), { SCHEDULER_INTERVAL_MS: '60000' });
  const db = openDatabase(database.url);
  try {
    const idleRssMiB = processMemory(server.process.pid!).rssMiB;
    const tokens = await signInDemoUsers(server.baseUrl);
    const token = tokens.get('legal@sverdlovsk.example')!;
    const request = async (url: string, init: RequestInit = {}) =>
      fetch(`${server.baseUrl}${url}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        signal: AbortSignal.timeout(120_000),
      });
    const created = await request('/api/agreements', { method: 'POST', body: JSON.stringify({ kind: 'letter-of-intent' }) });
    if (created.status !== 201) throw new Error(`create: ${created.status} ${await created.text()}`);
    await fillWithCopies(db, ((await created.json()) as { id: number }).id, AGREEMENTS);

    const list = async () => {
      const start = performance.now();
      const response = await request('/api/agreements');
      const body = Buffer.from(await response.arrayBuffer());
      if (response.status !== 200) throw new Error(`list: ${response.status} ${body.toString().slice(0, 200)}`);
      return { ms: performance.now() - start, bytes: body.length, count: (JSON.parse(body.toString()) as unknown[]).length };
    };
    for (let run = 0; run < 3; run += 1) await list();

    const memory = sampleMemory(server.process.pid!);
    const sequential: Awaited<ReturnType<typeof list>>[] = [];
    const started = performance.now();
    for (let run = 0; run < SEQUENTIAL; run += 1) sequential.push(await list());
    const sequentialSeconds = (performance.now() - started) / 1000;
    const sequentialPeak = memory.stop();

    const concurrentMemory = sampleMemory(server.process.pid!);
    const concurrentStarted = performance.now();
    const concurrent = (
      await Promise.all(
        Array.from({ length: CONCURRENT_CLIENTS }, async () => {
          const times: number[] = [];
          for (let run = 0; run < CONCURRENT_REQUESTS_EACH; run += 1) times.push((await list()).ms);
          return times;
        }),
      )
    ).flat();
    const concurrentSeconds = (performance.now() - concurrentStarted) / 1000;
    const concurrentPeak = concurrentMemory.stop();

    const times = sequential.map((result) => result.ms);
    const rows: BenchRow[] = [
      {
        benchmark: 'list',
        case: `${KIND_LABEL[kind]}, ${sequential[0]!.count} agreements, 1 client`,
        samples: times.length,
        p50Ms: percentile(times, 50),
        p95Ms: percentile(times, 95),
        p99Ms: percentile(times, 99),
        perSecond: times.length / sequentialSeconds,
        bytes: sequential[0]!.bytes,
        peakRssMiB: sequentialPeak,
        note: 'GET /api/agreements: the whole list, unpaginated',
      },
      {
        benchmark: 'list',
        case: `${KIND_LABEL[kind]}, ${sequential[0]!.count} agreements, ${CONCURRENT_CLIENTS} clients`,
        samples: concurrent.length,
        p50Ms: percentile(concurrent, 50),
        p95Ms: percentile(concurrent, 95),
        p99Ms: percentile(concurrent, 99),
        perSecond: concurrent.length / concurrentSeconds,
        bytes: sequential[0]!.bytes,
        peakRssMiB: concurrentPeak,
      },
    ];
    rows.forEach(progress);
    const final = processMemory(server.process.pid!);
    rows.push({
      benchmark: 'memory',
      case: `server process, ${KIND_LABEL[kind]}, list benchmark`,
      peakRssMiB: final.peakRssMiB,
      note: `${idleRssMiB.toFixed(0)} MiB idle after start, ${final.rssMiB.toFixed(0)} MiB at the end`,
    });
    return rows;
  } finally {
    await db.destroy();
    await server.stop('SIGKILL');
    await database.drop();
  }
}

export async function runListBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const kind of await benchDatabaseKinds()) rows.push(...(await benchDatabase(kind)));
  return rows;
}

if (isMain(import.meta.url)) {
  const rows = await runListBench();
  console.log(formatTable(rows));
  console.log(`  written to ${path.relative(process.cwd(), writeResults('list-bench', rows))}`);
}

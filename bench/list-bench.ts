import { createHash, randomBytes } from 'node:crypto';
import { indexWords } from '../server/search/search-words.ts';
import path from 'node:path';
import { openDatabase, type Database } from '../db/connection.ts';
import { processMemory } from '../test/support/process-memory.ts';
import { startServerProcess } from '../test/support/server-process.ts';
import { signInDemoUsers } from '../test/support/workflow-driver.ts';
import { benchDatabaseKinds, createBenchDatabase, KIND_LABEL, type DatabaseKind } from './bench-database.ts';
import { formatTable, isMain, percentile, progress, sampleMemory, writeResults, type BenchRow } from './bench-results.ts';

/**
 * The register, `GET /api/agreements`, with 100,000 agreements in the database (both demo parties are
 * party to all of them), each with a 20-article text in Russian and Korean, against a real server
 * process, on SQLite and on PostgreSQL: a page of the list and three searches (a word found in one
 * agreement's name, a Russian word in another form found in every agreement, a Korean compound written
 * without its space), one client in turn, then 16 at once. The agreements are copies of one made through
 * the API (its articles added through the API up to 20), inserted straight into the tables with their
 * search index (which shares the texts, as the server's own writes do) to save the time of 100,000
 * creations; each copy gets a name of its own, so a search can find exactly one.
 *
 * Seeding 100,000 takes minutes: BENCH_LIST_DATABASE_URL (`sqlite:<file>` or `postgres://.../<database>`, an
 * existing empty database) names a database that is seeded on the first run, kept, and measured again as it
 * is by the next runs (only its engine is measured), so a query plan can be tried in seconds.
 */

const AGREEMENTS = Number(process.env.BENCH_LIST_AGREEMENTS ?? 100_000);
const SEQUENTIAL = 40;
const CONCURRENT_CLIENTS = 16;
const CONCURRENT_REQUESTS_EACH = 5;
const BATCH = 1000;
const ARTICLES = 20;
const KEPT_DATABASE_URL = process.env.BENCH_LIST_DATABASE_URL;

function kindOfUrl(url: string): DatabaseKind {
  return url.startsWith('sqlite:') ? 'sqlite' : 'postgres';
}

/** Copies agreement `templateId` until the database holds `total` agreements; copy n is named "... (n) ref<n>". */
async function fillWithCopies(db: Database, templateId: number, total: number): Promise<void> {
  const { id: _id, ...agreement } = await db('agreements').where({ id: templateId }).first();
  const parties: { party_key: string; position: number }[] = await db('agreement_parties')
    .where({ agreement_id: templateId })
    .select('party_key', 'position');
  const { agreement_id: _agreementId, ...text } = await db('text_versions')
    .where({ agreement_id: templateId })
    .orderBy('version', 'desc')
    .first();
  text.version = agreement.version;
  const entries: Record<string, unknown>[] = (
    await db('search_entries').where({ agreement_id: templateId }).whereNot({ clause_key: '' })
  ).map(({ agreement_id: _a, ...entry }) => entry);
  const titles: Record<string, unknown>[] = (await db('agreement_titles').where({ agreement_id: templateId })).map(
    ({ agreement_id: _a, ...title }) => title,
  );
  let count = Number((await db('agreements').count({ count: '*' }))[0]!.count);
  for (let batch = 0; count < total && batch < Math.ceil(total / BATCH) + 1; batch += 1) {
    const size = Math.min(BATCH, total - count);
    await db.transaction(async (trx) => {
      const [{ max }] = await trx('agreements').max({ max: 'id' });
      const names = Array.from({ length: size }, (_, index) => `${agreement.title} (${count + index + 1}) ref${count + index + 1}`);
      await trx.batchInsert(
        'agreements',
        names.map((title) => ({ ...agreement, title })),
        200,
      );
      const ids: number[] = await trx('agreements').where('id', '>', max).orderBy('id').pluck('id');
      await trx.batchInsert(
        'agreement_parties',
        ids.flatMap((id) => parties.map((party) => ({ ...party, agreement_id: id }))),
        500,
      );
      await trx.batchInsert(
        'text_versions',
        ids.map((id) => ({ ...text, agreement_id: id })),
        200,
      );
      await trx.batchInsert(
        'search_texts',
        names.map((name) => ({
          sha256: createHash('sha256').update(`und\u0000${name}`).digest('hex'),
          lang: 'und',
          body: name,
          words: indexWords(name),
        })),
        200,
      );
      const nameIds: number[] = await trx('search_texts').whereIn('body', names).orderBy('id').pluck('id');
      await trx.batchInsert(
        'search_entries',
        ids.flatMap((id, index) => [
          { agreement_id: id, clause_key: '', lang: 'und', position: 0, heading: null, text_id: nameIds[index] },
          ...entries.map((entry) => ({ ...entry, agreement_id: id })),
        ]),
        500,
      );
      await trx.batchInsert(
        'agreement_titles',
        ids.flatMap((id) => titles.map((title) => ({ ...title, agreement_id: id }))),
        500,
      );
    });
    count += size;
    if (count % 10_000 < BATCH) console.log(`  ${count} agreements`);
  }
}

async function benchDatabase(kind: DatabaseKind): Promise<BenchRow[]> {
  const database = KEPT_DATABASE_URL ? { url: KEPT_DATABASE_URL, drop: async () => {} } : await createBenchDatabase(kind);
  // The scheduler's tick is not what is measured, and on SQLite it takes the write lock for longer than the
  // busy timeout once tens of thousands of agreements are in (the seeding failed with SQLITE_BUSY at 47,000).
  const server = await startServerProcess(database.url, randomBytes(32).toString('hex'), { SCHEDULER_INTERVAL_MS: '3600000' });
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
    const seeded = Number((await db('agreements').count({ count: '*' }))[0]!.count) >= AGREEMENTS;
    if (seeded) console.log(`  measuring the ${AGREEMENTS} agreements already in ${KIND_LABEL[kind]}`);
    else await seed();
    let url = '/api/agreements?limit=25';
    const list = async () => {
      const start = performance.now();
      const response = await request(url);
      const body = Buffer.from(await response.arrayBuffer());
      if (response.status !== 200) throw new Error(`list: ${response.status} ${body.toString().slice(0, 200)}`);
      return {
        ms: performance.now() - start,
        bytes: body.length,
        count: (JSON.parse(body.toString()) as { agreements: unknown[] }).agreements.length,
      };
    };
    const rows: BenchRow[] = [];
    const middle = Math.floor(AGREEMENTS / 2);
    for (const [label, query] of [
      ['a page of the list (25, last change first)', '/api/agreements?limit=25'],
      [`search: a word in one agreement's name ("ref${middle}")`, `/api/agreements?limit=25&q=ref${middle}`],
      ['search: "сотрудничество" (in every agreement), first page', `/api/agreements?limit=25&q=${encodeURIComponent('сотрудничество')}`],
      [
        'search: "문화협력" (written "문화 협력", in every agreement), first page',
        `/api/agreements?limit=25&q=${encodeURIComponent('문화협력')}`,
      ],
    ] as const) {
      url = query;
      const measured = await measure(label);
      measured.forEach(progress);
      rows.push(...measured);
    }
    const final = processMemory(server.process.pid!);
    rows.push({
      benchmark: 'memory',
      case: `server process, ${KIND_LABEL[kind]}, list benchmark`,
      peakRssMiB: final.peakRssMiB,
      note: `${idleRssMiB.toFixed(0)} MiB idle after start, ${final.rssMiB.toFixed(0)} MiB at the end`,
    });
    return rows;

    async function seed(): Promise<void> {
      const created = await request('/api/agreements', {
        method: 'POST',
        body: JSON.stringify({ kind: 'cooperation-agreement', counterparty: 'gyeonggi' }),
      });
      if (created.status !== 201) throw new Error(`create: ${created.status} ${await created.text()}`);
      let template = (await created.json()) as { id: number; version: number; clauses: { key: string }[] };
      // Articles written fresh in Russian and Korean until the text has 20 (title, preamble and final clause are not articles).
      for (let article = template.clauses.length - 3; article < ARTICLES; article += 1) {
        const added = await request(`/api/agreements/${template.id}/clauses`, {
          method: 'POST',
          body: JSON.stringify({
            lang: 'ru',
            text: `<p>Стороны содействуют развитию сотрудничества в области ${article} и ежегодно обмениваются информацией о его результатах.</p>`,
            expectedVersion: template.version,
          }),
        });
        if (added.status !== 201) throw new Error(`add clause: ${added.status} ${await added.text()}`);
        template = (await added.json()) as typeof template;
      }
      await fillWithCopies(db, template.id, AGREEMENTS);
      // A database that grew by 100,000 agreements has been vacuumed and analysed by autovacuum long before
      // anyone reads it (its GIN index's pending entries merged, its visibility map set for index-only
      // scans); the bench cannot wait for that, so it asks for it itself.
      if (kind === 'postgres') await db.raw('VACUUM ANALYZE');
    }

    async function measure(label: string): Promise<BenchRow[]> {
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
      return [
        {
          benchmark: 'list',
          case: `${KIND_LABEL[kind]}, ${AGREEMENTS} agreements, ${label}, 1 client`,
          samples: times.length,
          p50Ms: percentile(times, 50),
          p95Ms: percentile(times, 95),
          p99Ms: percentile(times, 99),
          perSecond: times.length / sequentialSeconds,
          bytes: sequential[0]!.bytes,
          peakRssMiB: sequentialPeak,
          note: `${sequential[0]!.count} rows`,
        },
        {
          benchmark: 'list',
          case: `${KIND_LABEL[kind]}, ${AGREEMENTS} agreements, ${label}, ${CONCURRENT_CLIENTS} clients`,
          samples: concurrent.length,
          p50Ms: percentile(concurrent, 50),
          p95Ms: percentile(concurrent, 95),
          p99Ms: percentile(concurrent, 99),
          perSecond: concurrent.length / concurrentSeconds,
          bytes: sequential[0]!.bytes,
          peakRssMiB: concurrentPeak,
        },
      ];
    }
  } finally {
    await db.destroy();
    await server.stop('SIGKILL');
    await database.drop();
  }
}

export async function runListBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const kinds = KEPT_DATABASE_URL ? [kindOfUrl(KEPT_DATABASE_URL)] : await benchDatabaseKinds();
  for (const kind of kinds) rows.push(...(await benchDatabase(kind)));
  return rows;
}

if (isMain(import.meta.url)) {
  const rows = await runListBench();
  console.log(formatTable(rows));
  console.log(`  written to ${path.relative(process.cwd(), writeResults('list-bench', rows))}`);
}

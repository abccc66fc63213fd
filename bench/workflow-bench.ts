import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { processMemory } from '../test/support/process-memory.ts';
import { startServerProcess, type ServerProcess } from '../test/support/server-process.ts';
import { driveAgreements, signInDemoUsers } from '../test/support/workflow-driver.ts';
import { benchDatabaseKinds, createBenchDatabase, KIND_LABEL, type DatabaseKind } from './bench-database.ts';
import { formatTable, isMain, percentile, progress, sampleMemory, writeResults, type BenchRow } from './bench-results.ts';

/**
 * Workflow transitions over HTTP against a real server process (`server/main.ts`), on SQLite and on
 * PostgreSQL, with 1, 16 and 64 concurrent clients. Each client owns an agreement and walks it round
 * the cycle SUBMIT -> APPROVE -> APPROVE -> REQUEST_CHANGES (each a guarded transaction with its audit
 * entry, schedule and notifications, no PDF work), so what is measured is the workflow itself.
 * Then whole letters of intent, created and carried to both signatures (rendering and signing
 * included), by 16 clients. The clients run in this process, on the same two cores as the server.
 * Reports p50/p95/p99 latency, transitions per second and the server's peak resident memory.
 */

const CONCURRENCY = [1, 16, 64];
/** Transitions per concurrency level (rounded up to whole cycles per client). */
const TRANSITIONS = Number(process.env.BENCH_TRANSITIONS ?? 1200);
const FULL_WORKFLOW_CLIENTS = 16;
const FULL_WORKFLOW_AGREEMENTS = Number(process.env.BENCH_FULL_AGREEMENTS ?? 32);

const CYCLE = [
  ['legal@sverdlovsk.example', 'SUBMIT'],
  ['legal@sverdlovsk.example', 'APPROVE'],
  ['legal@gyeonggi.example', 'APPROVE'],
  ['legal@sverdlovsk.example', 'REQUEST_CHANGES'],
] as const;

async function post(baseUrl: string, token: string, path: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(120_000),
  });
  return { status: response.status, body: await response.json() };
}

/** `clients` clients, each cycling its own agreement; latencies of every transition and the wall time. */
async function cycleTransitions(server: ServerProcess, tokens: ReadonlyMap<string, string>, clients: number) {
  const legal = tokens.get('legal@sverdlovsk.example')!;
  const agreements: { id: number; version: number }[] = [];
  for (let index = 0; index < clients; index += 1) {
    const created = await post(server.baseUrl, legal, '/api/agreements', { kind: 'letter-of-intent' });
    if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
    agreements.push({ id: created.body.id, version: created.body.version });
  }
  const cyclesPerClient = Math.ceil(TRANSITIONS / clients / CYCLE.length);
  const latencies: number[] = [];
  const memory = sampleMemory(server.process.pid!);
  const started = performance.now();
  await Promise.all(
    agreements.map(async (agreement) => {
      for (let cycle = 0; cycle < cyclesPerClient; cycle += 1) {
        for (const [email, type] of CYCLE) {
          const start = performance.now();
          const answer = await post(server.baseUrl, tokens.get(email)!, `/api/agreements/${agreement.id}/events`, {
            type,
            expectedVersion: agreement.version,
          });
          latencies.push(performance.now() - start);
          if (answer.status !== 200) throw new Error(`${type} on ${agreement.id}: ${answer.status} ${JSON.stringify(answer.body)}`);
          agreement.version = answer.body.version;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { latencies, perSecond: latencies.length / seconds, peakRssMiB: memory.stop() };
}

async function benchDatabase(kind: DatabaseKind): Promise<BenchRow[]> {
  const database = await createBenchDatabase(kind);
  const server = await startServerProcess(database.url, randomBytes(32).toString('hex'), { SCHEDULER_INTERVAL_MS: '1000' });
  const rows: BenchRow[] = [];
  try {
    const idle = processMemory(server.process.pid!);
    const tokens = await signInDemoUsers(server.baseUrl);
    for (const clients of CONCURRENCY) {
      const result = await cycleTransitions(server, tokens, clients);
      rows.push({
        benchmark: 'workflow',
        case: `${KIND_LABEL[kind]}, ${clients} client${clients === 1 ? '' : 's'}: transitions`,
        samples: result.latencies.length,
        p50Ms: percentile(result.latencies, 50),
        p95Ms: percentile(result.latencies, 95),
        p99Ms: percentile(result.latencies, 99),
        perSecond: result.perSecond,
        peakRssMiB: result.peakRssMiB,
        note: 'SUBMIT, APPROVE, APPROVE, REQUEST_CHANGES; per s = transitions',
      });
      progress(rows.at(-1)!);
    }

    const memory = sampleMemory(server.process.pid!);
    const started = performance.now();
    const stats = await driveAgreements(tokens, {
      baseUrls: () => [server.baseUrl],
      clients: FULL_WORKFLOW_CLIENTS,
      agreementsPerClient: Math.ceil(FULL_WORKFLOW_AGREEMENTS / FULL_WORKFLOW_CLIENTS),
      race: false,
      timeLimitMs: 900_000,
    });
    const seconds = (performance.now() - started) / 1000;
    if (stats.failures.length > 0 || stats.completed.length !== FULL_WORKFLOW_AGREEMENTS) {
      throw new Error(
        `full workflow: ${stats.completed.length} of ${FULL_WORKFLOW_AGREEMENTS} completed; ${stats.failures.slice(0, 3).join('; ')}`,
      );
    }
    const peak = memory.stop();
    const signLatencies = stats.latenciesByEventMs.SIGN ?? [];
    rows.push({
      benchmark: 'workflow',
      case: `${KIND_LABEL[kind]}, ${FULL_WORKFLOW_CLIENTS} clients: letters of intent, create -> executed`,
      samples: stats.writeLatenciesMs.length,
      p50Ms: percentile(stats.writeLatenciesMs, 50),
      p95Ms: percentile(stats.writeLatenciesMs, 95),
      p99Ms: percentile(stats.writeLatenciesMs, 99),
      perSecond: stats.completed.length / seconds,
      peakRssMiB: peak,
      note: `per s = agreements (8 writes each, 4 PDFs rendered, 4 signatures); SIGN p50 ${percentile(signLatencies, 50).toFixed(0)} ms`,
    });
    progress(rows.at(-1)!);
    const after = processMemory(server.process.pid!);
    rows.push({
      benchmark: 'memory',
      case: `server process, ${KIND_LABEL[kind]}, workflow benchmark`,
      peakRssMiB: after.peakRssMiB,
      note: `${idle.rssMiB.toFixed(0)} MiB idle after start, ${after.rssMiB.toFixed(0)} MiB at the end`,
    });
  } finally {
    await server.stop('SIGKILL');
    await database.drop();
  }
  return rows;
}

export async function runWorkflowBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const kind of await benchDatabaseKinds()) rows.push(...(await benchDatabase(kind)));
  return rows;
}

if (isMain(import.meta.url)) {
  const rows = await runWorkflowBench();
  console.log(formatTable(rows));
  console.log(`  written to ${path.relative(process.cwd(), writeResults('workflow-bench', rows))}`);
}

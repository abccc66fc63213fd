import { expect } from 'chai';
import { ApiClient } from '../support/api-client.ts';
import { deepFieldChain, kidsFanOut, xrefStreamClaim } from '../support/hostile-pdfs.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { storedFingerprint } from '../support/snapshot.ts';
import { heapSnapshotOptions, liveHeapMiB, processMemory } from '../support/process-memory.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** Every API route, with the parameters a hostile client could play with. */
const ROUTES: readonly [method: string, path: string][] = [
  ['POST', '/api/sessions'],
  ['GET', '/api/agreements'],
  ['POST', '/api/agreements'],
  ['GET', '/api/agreements/:id'],
  ['PUT', '/api/agreements/:id/clauses/:key'],
  ['POST', '/api/agreements/:id/clauses'],
  ['DELETE', '/api/agreements/:id/clauses/:key'],
  ['POST', '/api/agreements/:id/clauses/:key/confirm'],
  ['PUT', '/api/agreements/:id/clause-order'],
  ['PUT', '/api/agreements/:id/variables'],
  ['PUT', '/api/agreements/:id/deadlines'],
  ['POST', '/api/agreements/:id/events'],
  ['GET', '/api/agreements/:id/pdf'],
  ['GET', '/api/agreements/:id/audit'],
  ['GET', '/api/agreements/:id/audit/verify'],
  ['GET', '/api/agreements/:id/versions'],
  ['GET', '/api/agreements/:id/versions/:version'],
  ['GET', '/api/agreements/:id/compare'],
  ['GET', '/api/agreements/:id/comments'],
  ['POST', '/api/agreements/:id/comments'],
  ['POST', '/api/agreements/:id/comments/:commentId/resolve'],
  ['GET', '/api/library'],
  ['POST', '/api/verify'],
];

const HOSTILE_SEGMENTS = [
  '..',
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e',
  '0',
  '-1',
  '1e3',
  '99999999999999999999',
  '1;DROP TABLE users',
  '%00',
  '%E2%80%AE',
  'NaN',
  '__proto__',
  'constructor',
];

/** Deterministic pseudo-random numbers, so a failing case can be replayed. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function nested(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

/** Bodies that are wrong in every way we can think of; none is a valid request. */
const HOSTILE_BODIES: readonly (string | Buffer)[] = [
  '',
  '{',
  '{"type": "SUBMIT", "expectedVersion": 1',
  'null',
  '[]',
  '"string"',
  '42',
  '{"__proto__": {"isAdmin": true}, "kind": "letter-of-intent"}',
  '{"constructor": {"prototype": {"polluted": true}}}',
  '{"kind": "letter-of-intent", "unknownField": 1}',
  '{"kind": ["letter-of-intent"]}',
  '{"type": 1, "expectedVersion": "1"}',
  '{"lang": "xx", "text": "<p>x</p>", "expectedVersion": 1}',
  '{"lang": "ru", "text": "<p>\u202Eevil\u202C</p>", "expectedVersion": 999}',
  '{"lang": "ru", "text": "<p>\u0000\u0007</p>", "expectedVersion": 999}',
  '{"clause": "../../etc/passwd", "lang": "ru", "body": "x\u200F"}',
  '{"order": "not-a-list", "expectedVersion": 1}',
  '{"variables": {"termYears": -5}, "expectedVersion": 1}',
  '{"email": {"$gt": ""}, "password": {"$gt": ""}}',
  nested(5000),
  `{"a": ${nested(2000)}}`,
  Buffer.from([0x7b, 0x22, 0x6b, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]),
  `{"title": "${'x'.repeat(400_000)}"}`,
  // Sent to /api/verify as application/pdf, they cost a verification thread, which the memory bound below includes.
  kidsFanOut(),
  xrefStreamClaim(),
  deepFieldChain(),
];

/**
 * Sends one hostile request, drawn from `next`, and judges the answer: a 5xx, a hostile write
 * accepted, or an error without problem+json is a failure. Returns the failures (none or one).
 * Everything is drawn from `next` before the request is sent (sendHostileRequests relies on it).
 */
async function sendHostileRequest(baseUrl: string, token: string, next: () => number, index: number): Promise<string[]> {
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const tokens = [
    `Bearer ${token}`,
    `Bearer ${token.slice(0, -2)}xx`,
    `Bearer ${'A'.repeat(43)}`,
    'Basic dXNlcjpwYXNz',
    `Bearer ${token} extra`,
    '',
  ];
  const [method, template] = pick(ROUTES);
  // Mostly a real agreement, clause and comment, so the body is what gets tested; sometimes a hostile segment.
  const path = template
    .replace(':id', next() < 0.7 ? '2' : pick(HOSTILE_SEGMENTS))
    .replace(':key', next() < 0.7 ? 'purpose' : pick(HOSTILE_SEGMENTS))
    .replace(':version', pick(['1', '0', '-1', 'x', '999']))
    .replace(':commentId', pick(['1', '0', 'x', '99999']));
  const query = pick([
    '',
    '?original=../../etc',
    '?original=%00',
    '?expectedVersion=abc',
    '?from=1&to=x',
    '?original=sverdlovsk&original=gyeonggi',
  ]);
  const body = method === 'GET' || method === 'DELETE' ? undefined : pick(HOSTILE_BODIES);
  const headers: Record<string, string> = {};
  const authorization = index % 5 === 0 ? pick(tokens) : `Bearer ${token}`;
  if (authorization) headers.authorization = authorization;
  if (body !== undefined)
    headers['content-type'] = template === '/api/verify' ? pick(['application/pdf', 'application/json', 'text/plain']) : 'application/json';
  // A well-formed GET with a valid token on a real id is a legitimate read; only hostile reads are judged.
  const hostile = body !== undefined || query !== '' || !path.includes('/2') || authorization !== `Bearer ${token}`;
  const response = await fetch(`${baseUrl}${path}${query}`, { method, headers, body, signal: AbortSignal.timeout(60_000) });
  const text = await response.text();
  if (response.status >= 500) return [`${method} ${path}${query} -> ${response.status} ${text.slice(0, 200)}`];
  if (hostile && response.status < 400 && !(method === 'GET')) return [`${method} ${path}${query} accepted: ${response.status}`];
  if (response.status >= 400 && !/application\/problem\+json/.test(response.headers.get('content-type') ?? '')) {
    return [`${method} ${path}${query} -> ${response.status} without problem+json`];
  }
  return [];
}

/** Hostile requests in flight at once: the server meets them side by side, as it would, and a run takes a fraction of the time one at a time took. */
const IN_FLIGHT = 4;

/**
 * Sends the hostile requests `from` to `from + count - 1`, IN_FLIGHT at a time, and returns their
 * failures in that order. They start in order and each draws all of its randomness before it first
 * waits, so every index sends the same request whatever order the answers come back in.
 */
async function sendHostileRequests(baseUrl: string, token: string, next: () => number, from: number, count: number): Promise<string[]> {
  const failures: string[][] = [];
  let started = 0;
  const lane = async () => {
    while (started < count) {
      const offset = started++;
      failures[offset] = await sendHostileRequest(baseUrl, token, next, from + offset);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  return failures.flat();
}

describe(`hostile input (${TEST_DATABASE_KIND})`, () => {
  let server: TestServer;
  let token: string;

  before(async () => {
    server = await startTestServer();
    const session = await new ApiClient(server.baseUrl).post('/api/sessions', {
      email: 'legal@sverdlovsk.example',
      password: 'test-password',
    });
    token = session.body.token;
  });
  after(async () => server?.close());

  /** A fingerprint of everything stored: a refused request must not change it. */
  async function fingerprint(): Promise<string> {
    return storedFingerprint(server.db, [
      'agreements',
      'text_versions',
      'audit_events',
      'comments',
      'approvals',
      'originals',
      'signatures',
      'scheduled_events',
      'users',
      'parties',
    ]);
  }

  it('when thousands of malformed, mistyped, oversized, nested, polluting, traversing and forged requests hit every route, then each gets a 4xx problem+json and nothing changes', async function () {
    this.timeout(300_000);
    const next = random(20261128);
    const before = await fingerprint();
    const REQUESTS = 3000;
    const failures = await sendHostileRequests(server.baseUrl, token, next, 0, REQUESTS);
    expect(failures.slice(0, 20), `${failures.length} of ${REQUESTS} requests misbehaved`).to.deep.equal([]);
    expect(await fingerprint()).to.equal(before);
  });

  it('when a template in a clause tries to break out of Handlebars, then it is refused and never executed', async () => {
    const client = new ApiClient(server.baseUrl, token);
    for (const text of [
      '<p>{{constructor.constructor "return process.exit(1)"}}</p>',
      '<p>{{#with "x" as |s|}}{{s.constructor.constructor "return 1"}}{{/with}}</p>',
      '<p>{{> ../../../package}}</p>',
      '<p>{{lookup this "__proto__"}}</p>',
    ]) {
      const { version } = (await client.get('/api/agreements/2')).body;
      const response = await client.put('/api/agreements/2/clauses/purpose', { lang: 'en', text, expectedVersion: version });
      if (response.status === 200) {
        // Rendered as text or as nothing, never executed: the server is still here and the text holds no result of code.
        expect(JSON.stringify(response.body.clauses)).to.not.include('function');
      } else {
        expect(response.status).to.equal(422);
      }
    }
    expect((await client.get('/api/agreements')).status).to.equal(200);
  });
});

describe(`hostile input against a server process: memory (${TEST_DATABASE_KIND})`, function () {
  this.timeout(300_000);
  let database: TestDatabase;
  let server: ServerProcess;
  let snapshots: string;

  before(async () => {
    database = await createTestDatabase();
    snapshots = mkdtempSync(join(tmpdir(), 'bilateral-heap-'));
    server = await startServerProcess(database.url, randomBytes(32).toString('hex'), { NODE_OPTIONS: heapSnapshotOptions(snapshots) });
  });
  after(async () => {
    await server?.stop('SIGKILL');
    await database?.drop();
    rmSync(snapshots, { recursive: true, force: true });
  });

  it('when thousands more hostile requests follow a warm-up, then the server answers them all, keeps nothing of them and its memory stays bounded', async () => {
    const session = await new ApiClient(server.baseUrl).post('/api/sessions', {
      email: 'legal@sverdlovsk.example',
      password: 'test-password',
    });
    const next = random(4242);
    const send = (from: number, count: number) => sendHostileRequests(server.baseUrl, session.body.token, next, from, count);
    const WARM_UP = 1000;
    const MORE = 3000;
    expect(await send(0, WARM_UP)).to.deep.equal([]);
    const warmHeapMiB = await liveHeapMiB(server.process.pid!, snapshots);
    const failures = await send(WARM_UP, MORE);
    const afterHeapMiB = await liveHeapMiB(server.process.pid!, snapshots);
    const resident = processMemory(server.process.pid!);

    expect(failures.slice(0, 20), `${failures.length} of ${MORE} requests misbehaved`).to.deep.equal([]);
    const message = `live heap ${warmHeapMiB.toFixed(1)} MiB after the warm-up, ${afterHeapMiB.toFixed(1)} MiB after ${MORE} more; resident peak ${resident.peakRssMiB.toFixed(0)} MiB`;
    if (process.env.BILATERAL_PRINT_MEMORY) console.log(`      ${message}`);
    // What the server keeps of a request shows in its live heap: 8 MiB over 3000 requests catches a leak
    // of 3 kB per request. Resident memory is no measure of that (it moves by hundreds of MiB with the
    // worker threads' uncollected garbage and allocator fragmentation), only of the bound below.
    expect(afterHeapMiB - warmHeapMiB, message).to.be.below(8);
    // The PDF bombs are refused before they cost a verification thread more than a few MB: one that ran
    // to its 512 MB heap limit beside the server's own heap and the warm typesetting thread would pass this.
    expect(resident.peakRssMiB, message).to.be.below(1024);
  });
});

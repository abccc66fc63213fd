import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { ApiClient } from '../support/api-client.ts';
import { createTestDatabase, TEST_DATABASE_KIND, type TestDatabase } from '../support/database.ts';
import { storedFingerprint } from '../support/snapshot.ts';
import { processMemory } from '../support/process-memory.ts';
import { HOSTILE_PDFS, kidsFanOut } from '../support/hostile-pdfs.ts';
import { withIterations } from '../support/pkcs12-files.ts';
import { scheduledWorkDone, startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { createRootCa, exportPkcs12, issueCertificate, scratchDirectory } from '../signing/openssl-pki.ts';

/**
 * The attacks of the hardening review (PDFs, clause texts, PKCS#12 files), generated here (no binary
 * fixtures) and sent to a real server process: each must be refused with the right 4xx in bounded time and memory while another client's
 * /health keeps answering, and leave the process alive and the database unchanged.
 */

/** Polls /health every 50 ms until stopped; reports the slowest answer. */
function watchHealth(baseUrl: string): { stop: () => Promise<{ slowestMs: number; failures: number }> } {
  let running = true;
  let slowestMs = 0;
  let failures = 0;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      try {
        const response = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(30_000) });
        await response.arrayBuffer();
        if (!response.ok) failures += 1;
      } catch {
        failures += 1;
      }
      slowestMs = Math.max(slowestMs, performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { slowestMs, failures };
    },
  };
}

describe(`hostile uploads against a server process (${TEST_DATABASE_KIND})`, function () {
  this.timeout(300_000);
  let database: TestDatabase;
  let server: ServerProcess;
  let token: string;

  before(async () => {
    database = await createTestDatabase();
    server = await startServerProcess(database.url, randomBytes(32).toString('hex'), { SCHEDULER_INTERVAL_MS: '200' });
    // Each test compares what is stored before and after its request: the scheduler's own work at start comes first.
    await scheduledWorkDone(database.db);
    token = (await new ApiClient(server.baseUrl).post('/api/sessions', { email: 'legal@sverdlovsk.example', password: 'test-password' }))
      .body.token;
  });
  after(async () => {
    await server?.stop('SIGKILL');
    await database?.drop();
  });

  /** Counts and versions of everything a request could write. */
  async function fingerprint(): Promise<string> {
    return storedFingerprint(database.db, [
      'agreements',
      'text_versions',
      'audit_events',
      'comments',
      'approvals',
      'originals',
      'signatures',
      'credentials',
      'users',
    ]);
  }

  for (const hostile of HOSTILE_PDFS) {
    it(`when ${hostile.name} is posted to /api/verify, then ${hostile.status === 200 ? '200, read to the end and not valid' : hostile.status}${hostile.limit ? ` naming ${hostile.limit}` : ''} while /health keeps answering`, async () => {
      const pdf = hostile.build();
      const before = await fingerprint();
      const memoryBefore = processMemory(server.process.pid!);
      const health = watchHealth(server.baseUrl);
      const response = await fetch(`${server.baseUrl}/api/verify`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/pdf' },
        body: pdf,
        signal: AbortSignal.timeout(60_000),
      });
      const problem = (await response.json()) as { limit?: string; valid?: boolean };
      const { slowestMs, failures } = await health.stop();
      const memoryAfter = processMemory(server.process.pid!);

      expect(response.status, JSON.stringify(problem)).to.equal(hostile.status);
      if (hostile.status === 200) expect(problem.valid).to.equal(false);
      else expect(response.headers.get('content-type')).to.match(/application\/problem\+json/);
      if (hostile.limit) expect(problem.limit).to.equal(hostile.limit);
      // A safety property with a generous bound, not a benchmark: the server's own thread never waits for the file.
      expect(failures).to.equal(0);
      expect(slowestMs, `the slowest /health took ${slowestMs.toFixed(0)} ms`).to.be.below(2000);
      expect(
        memoryAfter.peakRssMiB - memoryBefore.rssMiB,
        `peak ${memoryAfter.peakRssMiB.toFixed(0)} MiB from ${memoryBefore.rssMiB.toFixed(0)} MiB`,
      ).to.be.below(700);
      expect((await fetch(`${server.baseUrl}/health`)).status).to.equal(200);
      expect(await fingerprint()).to.equal(before);
    });
  }

  /** Sends one request while /health is watched; checks the answer and that nothing stored changed. */
  async function sendWhileWatched(path: string, init: RequestInit, expected: { status: number; limit?: string; detail?: RegExp }) {
    const before = await fingerprint();
    const health = watchHealth(server.baseUrl);
    const response = await fetch(`${server.baseUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
      signal: AbortSignal.timeout(120_000),
    });
    const body = (await response.json()) as { limit?: string; detail?: string };
    const { slowestMs, failures } = await health.stop();
    expect(response.status, JSON.stringify(body)).to.equal(expected.status);
    if (expected.limit) expect(body.limit, JSON.stringify(body)).to.equal(expected.limit);
    if (expected.detail) expect(body.detail).to.match(expected.detail);
    expect(failures).to.equal(0);
    expect(slowestMs, `the slowest /health took ${slowestMs.toFixed(0)} ms`).to.be.below(2000);
    if (expected.status >= 400) expect(await fingerprint()).to.equal(before);
    return body;
  }

  async function currentVersion(): Promise<number> {
    return (
      (await (await fetch(`${server.baseUrl}/api/agreements/2`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
        version: number;
      }
    ).version;
  }

  const nestedLoops = (depth: number) => `<p>${'{{#each @root.areas}}'.repeat(depth)}x${'{{/each}}'.repeat(depth)}</p>`;
  const randomWord = (length: number) => Array.from(randomBytes(length), (byte) => String.fromCharCode(97 + (byte % 26))).join('');
  for (const [name, text, limit] of [
    ['five nested loops over the areas', nestedLoops(5), 'loop depth 2'],
    ['{{log}}', '<p>{{log "secret"}}</p>', undefined],
    ['one 49,993-letter word', `<p>${randomWord(49_993)}</p>`, '64 characters per word'],
  ] as const) {
    it(`when a clause holds ${name}, then 422${limit ? ` naming ${limit}` : ''} at once while /health keeps answering`, async () => {
      await sendWhileWatched(
        '/api/agreements/2/clauses/purpose',
        { method: 'PUT', body: JSON.stringify({ lang: 'en', text, expectedVersion: await currentVersion() }) },
        { status: 422, limit },
      );
    });
  }

  it('when a clause holds the longest text of the longest words the rules allow, then its draft PDF is typeset without holding up /health', async () => {
    const words = Array.from({ length: 760 }, () => randomWord(64)).join(' ');
    await sendWhileWatched(
      '/api/agreements/2/clauses/purpose',
      { method: 'PUT', body: JSON.stringify({ lang: 'en', text: `<p>${words}</p>`, expectedVersion: await currentVersion() }) },
      { status: 200 },
    );
    const health = watchHealth(server.baseUrl);
    const response = await fetch(`${server.baseUrl}/api/agreements/2/pdf?original=sverdlovsk`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(120_000),
    });
    const body = Buffer.from(await response.arrayBuffer());
    const { slowestMs, failures } = await health.stop();
    expect(response.status, body.toString('utf8', 0, 300)).to.equal(200);
    expect(body.subarray(0, 5).toString()).to.equal('%PDF-');
    expect(failures).to.equal(0);
    expect(slowestMs, `the slowest /health took ${slowestMs.toFixed(0)} ms`).to.be.below(2000);
  });

  it('when a PKCS#12 asks for 2^31-1 MAC iterations, then 422 before any key is derived while /health keeps answering', async () => {
    const directory = scratchDirectory();
    const root = await createRootCa(directory, 'Hostile root');
    const signer = await issueCertificate(root, 'signer', { commonName: 'Signer', days: 30 });
    const pkcs12 = withIterations(await exportPkcs12(signer, [root], 'passphrase', 'modern'), { mac: 2 ** 31 - 1 });
    const signatory = (
      await new ApiClient(server.baseUrl).post('/api/sessions', { email: 'signatory@sverdlovsk.example', password: 'test-password' })
    ).body.token;
    await sendWhileWatched(
      '/api/signatories/signatory@sverdlovsk.example/credentials',
      {
        method: 'POST',
        headers: { authorization: `Bearer ${signatory}` },
        body: JSON.stringify({ pkcs12: pkcs12.toString('base64'), passphrase: 'passphrase' }),
      },
      { status: 422, detail: /iteration/i },
    );
  });

  it('when many hostile PDFs arrive at once, then each is refused or told to come back, never a 5xx but 503, and the server stays up', async () => {
    const bomb = kidsFanOut();
    const health = watchHealth(server.baseUrl);
    const answers = await Promise.all(
      Array.from({ length: 24 }, () =>
        fetch(`${server.baseUrl}/api/verify`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/pdf' },
          body: bomb,
        }).then((response) => response.status),
      ),
    );
    const { slowestMs, failures } = await health.stop();
    expect(
      answers.every((status) => status === 422 || status === 503),
      answers.join(' '),
    ).to.equal(true);
    expect(answers).to.include(422);
    expect(failures).to.equal(0);
    expect(slowestMs).to.be.below(2000);
  });
});

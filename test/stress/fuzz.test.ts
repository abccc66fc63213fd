import { expect } from 'chai';
import { ApiClient } from '../support/api-client.ts';
import { TEST_DATABASE_KIND } from '../support/database.ts';
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

const HOSTILE_SEGMENTS = ['..', '..%2F..%2Fetc%2Fpasswd', '%2e%2e', '0', '-1', '1e3', '99999999999999999999', '1;DROP TABLE users', '%00', '%E2%80%AE', 'NaN', '__proto__', 'constructor'];

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
];

describe(`hostile input (${TEST_DATABASE_KIND})`, () => {
  let server: TestServer;
  let token: string;

  before(async () => {
    server = await startTestServer();
    const session = await new ApiClient(server.baseUrl).post('/api/sessions', { email: 'legal@sverdlovsk.example', password: 'test-password' });
    token = session.body.token;
  });
  after(async () => server?.close());

  /** A fingerprint of everything stored: a refused request must not change it. */
  async function fingerprint(): Promise<string> {
    const tables = ['agreements', 'text_versions', 'audit_events', 'comments', 'approvals', 'originals', 'signatures', 'scheduled_events', 'users', 'parties'];
    const counts = await Promise.all(tables.map(async (table) => [table, Number((await server.db(table).count({ count: '*' }))[0]!.count)]));
    const versions = await server.db('agreements').orderBy('id').select('id', 'version', 'state');
    return JSON.stringify({ counts, versions });
  }

  it('when thousands of malformed, mistyped, oversized, nested, polluting, traversing and forged requests hit every route, then each gets a 4xx problem+json and nothing changes', async function () {
    this.timeout(300_000);
    const next = random(20261128);
    const pick = <T,>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
    const tokens = [`Bearer ${token}`, `Bearer ${token.slice(0, -2)}xx`, 'Bearer ' + 'A'.repeat(43), 'Basic dXNlcjpwYXNz', `Bearer ${token} extra`, ''];
    const before = await fingerprint();
    const failures: string[] = [];
    const REQUESTS = 3000;
    for (let index = 0; index < REQUESTS; index += 1) {
      const [method, template] = pick(ROUTES);
      // Mostly a real agreement, clause and comment, so the body is what gets tested; sometimes a hostile segment.
      const path = template
        .replace(':id', next() < 0.7 ? '2' : pick(HOSTILE_SEGMENTS))
        .replace(':key', next() < 0.7 ? 'purpose' : pick(HOSTILE_SEGMENTS))
        .replace(':version', pick(['1', '0', '-1', 'x', '999']))
        .replace(':commentId', pick(['1', '0', 'x', '99999']));
      const query = pick(['', '?original=../../etc', '?original=%00', '?expectedVersion=abc', '?from=1&to=x', '?original=sverdlovsk&original=gyeonggi']);
      const body = method === 'GET' || method === 'DELETE' ? undefined : pick(HOSTILE_BODIES);
      const headers: Record<string, string> = {};
      const authorization = index % 5 === 0 ? pick(tokens) : `Bearer ${token}`;
      if (authorization) headers.authorization = authorization;
      if (body !== undefined) headers['content-type'] = template === '/api/verify' ? pick(['application/pdf', 'application/json', 'text/plain']) : 'application/json';
      // A well-formed GET with a valid token on a real id is a legitimate read; only hostile reads are judged.
      const hostile = body !== undefined || query !== '' || !path.includes('/2') || authorization !== `Bearer ${token}`;
      const response = await fetch(`${server.baseUrl}${path}${query}`, { method, headers, body });
      const text = await response.text();
      if (response.status >= 500) failures.push(`${method} ${path}${query} -> ${response.status} ${text.slice(0, 200)}`);
      else if (hostile && response.status < 400 && !(method === 'GET')) failures.push(`${method} ${path}${query} accepted: ${response.status}`);
      else if (response.status >= 400 && !/application\/problem\+json/.test(response.headers.get('content-type') ?? '')) {
        failures.push(`${method} ${path}${query} -> ${response.status} without problem+json`);
      }
    }
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

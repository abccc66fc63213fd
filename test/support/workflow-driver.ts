import { DEMO_PASSWORD } from './server.ts';

/**
 * Test and benchmark support: clients that carry new agreements through the whole workflow over real
 * HTTP, as the two governments' staff would, and survive what a real client must survive: a server
 * that is killed and restarted, a database that is busy or restarting (503 + Retry-After), and another
 * client that moved the agreement first (409). They never give up silently: every response that is not
 * one of those is recorded as a failure, and every loop is bounded in count and in time.
 */

/** The six demo users, by role and party. */
export const PARTIES = ['sverdlovsk', 'gyeonggi'] as const;
const ROLE_OF_STAGE = { review: 'legal', approval: 'official', signing: 'signatory' } as const;
const userOf = (role: string, party: string) => `${role}@${party}.example`;

/** Outcomes of requests, counted; `failures` holds the unexpected ones (a 500, a malformed 503...). */
export interface DriveStats {
  requests: number;
  readonly byStatus: Record<string, number>;
  /** Requests that got no HTTP answer (connection refused or reset: the server was away). */
  networkErrors: number;
  readonly failures: string[];
  /** Latency of each acknowledged write (create or event), in ms. */
  readonly writeLatenciesMs: number[];
  /** The same, by what was written: CREATE, SUBMIT, APPROVE, SIGN. */
  readonly latenciesByEventMs: Record<string, number[]>;
  /** What the server acknowledged: agreement, the event, the version it answered. */
  readonly acknowledged: { agreementId: number; event: string; version: number }[];
  /** Agreements created and acknowledged with their id. */
  readonly agreementIds: number[];
  /** Agreements that reached the target state. */
  readonly completed: number[];
}

export interface DriveOptions {
  /** Servers to spread the clients over (all on one database); client i talks to baseUrls[i % n]. */
  readonly baseUrls: () => readonly string[];
  readonly clients: number;
  readonly agreementsPerClient: number;
  readonly kind?: string;
  /** Stop driving (and count the rest as not completed) after this many ms. */
  readonly timeLimitMs: number;
  /** When both parties act in the same stage, send their events at the same time, so one of them must lose with 409. */
  readonly race?: boolean;
  /** Give up on one agreement after this many requests for it. */
  readonly maxRequestsPerAgreement?: number;
  /**
   * At most this many SIGN requests of one signatory in flight (default 4). The server counts each
   * password confirmation as an attempt before checking it and allows 5 per signatory in a window
   * (server/agreements/confirm-signatory.ts), so more parallel signatures by one person get 403; a
   * person signs one agreement at a time anyway.
   */
  readonly signaturesInFlightPerSignatory?: number;
  /** Called after each acknowledged write; a fault test uses it to strike at a chosen moment. */
  readonly onProgress?: (stats: DriveStats) => void;
}

/** Signs the six demo users in once; the tokens are stored in the database, so any process on it accepts them. */
export async function signInDemoUsers(baseUrl: string, password = DEMO_PASSWORD): Promise<Map<string, string>> {
  const tokens = new Map<string, string>();
  for (const role of ['legal', 'official', 'signatory']) {
    for (const party of PARTIES) {
      const email = userOf(role, party);
      const response = await fetch(`${baseUrl}/api/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
        signal: AbortSignal.timeout(30_000),
      });
      const body = (await response.json()) as { token?: string };
      if (response.status !== 201 || !body.token) throw new Error(`sign-in as ${email} failed: ${response.status} ${JSON.stringify(body)}`);
      tokens.set(email, body.token);
    }
  }
  return tokens;
}

interface Answer {
  readonly status: number;
  readonly body: any;
  readonly retryAfterSeconds?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const REQUEST_TIMEOUT_MS = 60_000;

/**
 * Runs `clients` concurrent clients, each creating `agreementsPerClient` agreements in turn and carrying
 * each to `executed`. Resolves with what happened; it does not throw for a misbehaving server (the
 * caller asserts on `failures`), only for a broken test set-up.
 */
export async function driveAgreements(
  tokens: ReadonlyMap<string, string>,
  options: DriveOptions,
  password = DEMO_PASSWORD,
): Promise<DriveStats> {
  const stats: DriveStats = {
    requests: 0,
    byStatus: {},
    networkErrors: 0,
    failures: [],
    writeLatenciesMs: [],
    latenciesByEventMs: {},
    acknowledged: [],
    agreementIds: [],
    completed: [],
  };
  const deadline = Date.now() + options.timeLimitMs;
  const maxRequests = options.maxRequestsPerAgreement ?? 200;
  const signing = new Map(PARTIES.map((party) => [userOf('signatory', party), new Semaphore(options.signaturesInFlightPerSignatory ?? 4)]));

  /** One request; a refused connection or a timeout is an answer of status 0. */
  async function call(client: number, email: string, method: string, path: string, body?: unknown): Promise<Answer> {
    const urls = options.baseUrls();
    // A client whose server is away tries the next one, as a load balancer would.
    const baseUrl = urls[(client + stats.networkErrors) % urls.length]!;
    stats.requests += 1;
    const started = performance.now();
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${tokens.get(email)}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      text = await response.text();
    } catch {
      stats.networkErrors += 1;
      return { status: 0, body: undefined };
    }
    const key = String(response.status);
    stats.byStatus[key] = (stats.byStatus[key] ?? 0) + 1;
    const contentType = response.headers.get('content-type') ?? '';
    let parsed: unknown = text;
    try {
      if (/json/.test(contentType) && text) parsed = JSON.parse(text);
    } catch {
      stats.failures.push(`${method} ${path} -> ${response.status} with a body that is not the JSON it says: ${text.slice(0, 200)}`);
    }
    if (method !== 'GET' && response.status < 300) {
      const ms = performance.now() - started;
      const event = (body as { type?: string }).type ?? 'CREATE';
      stats.writeLatenciesMs.push(ms);
      (stats.latenciesByEventMs[event] ??= []).push(ms);
    }
    if (response.status >= 500) {
      const retryAfter = Number(response.headers.get('retry-after'));
      const wellFormed =
        response.status === 503 && /application\/problem\+json/.test(contentType) && Number.isFinite(retryAfter) && retryAfter > 0;
      if (!wellFormed)
        stats.failures.push(
          `${method} ${path} -> ${response.status} ${contentType} retry-after=${response.headers.get('retry-after')} ${text.slice(0, 300)}`,
        );
      return { status: response.status, body: parsed, retryAfterSeconds: wellFormed ? retryAfter : 1 };
    }
    return { status: response.status, body: parsed };
  }

  /** Waits before retrying: what Retry-After asks, bounded, or a short pause after a refused connection. */
  const backOff = (answer: Answer) => sleep(answer.status === 0 ? 200 : Math.min(answer.retryAfterSeconds ?? 1, 2) * 1000);
  const retryable = (answer: Answer) => answer.status === 0 || answer.status === 503;

  async function create(client: number): Promise<number | undefined> {
    for (let attempt = 0; attempt < maxRequests && Date.now() < deadline; attempt += 1) {
      const answer = await call(client, userOf('legal', 'sverdlovsk'), 'POST', '/api/agreements', {
        kind: options.kind ?? 'letter-of-intent',
      });
      if (answer.status === 201) {
        stats.agreementIds.push(answer.body.id);
        stats.acknowledged.push({ agreementId: answer.body.id, event: 'CREATE', version: answer.body.version });
        options.onProgress?.(stats);
        return answer.body.id;
      }
      // Whether a failed create was committed is unknown; trying again may leave an orphan draft, which is harmless.
      if (retryable(answer)) await backOff(answer);
      else {
        stats.failures.push(`create -> ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
        return undefined;
      }
    }
    return undefined;
  }

  /** The next events for the agreement as it stands: [user, event] pairs, empty when it is done. */
  function nextMoves(view: any): [string, string][] {
    if (view.state === 'drafting') return [[userOf('legal', 'sverdlovsk'), 'SUBMIT']];
    if (view.state === 'review' || view.state === 'approval' || view.state === 'signing') {
      const done: string[] =
        view.state === 'signing' ? view.signatures.map((signature: { party: string }) => signature.party) : view.approvals[view.state];
      const type = view.state === 'signing' ? 'SIGN' : 'APPROVE';
      return PARTIES.filter((party) => !done.includes(party)).map((party) => [
        userOf(ROLE_OF_STAGE[view.state as keyof typeof ROLE_OF_STAGE], party),
        type,
      ]);
    }
    return [];
  }

  async function carry(client: number, id: number): Promise<void> {
    let requests = 0;
    while (requests < maxRequests && Date.now() < deadline) {
      requests += 1;
      const read = await call(client, userOf('legal', 'sverdlovsk'), 'GET', `/api/agreements/${id}`);
      if (retryable(read)) {
        await backOff(read);
        continue;
      }
      if (read.status !== 200) {
        stats.failures.push(`GET agreement ${id} -> ${read.status} ${JSON.stringify(read.body).slice(0, 300)}`);
        return;
      }
      const moves = nextMoves(read.body);
      if (moves.length === 0) {
        stats.completed.push(id);
        return;
      }
      const sent = options.race && read.body.state !== 'signing' ? moves : moves.slice(0, 1);
      requests += sent.length;
      const answers = await Promise.all(
        sent.map(([email, type]) => {
          const send = () =>
            call(client, email, 'POST', `/api/agreements/${id}/events`, {
              type,
              expectedVersion: read.body.version,
              ...(type === 'SIGN' && { password }),
            });
          // Signing is confirmed with the signatory's password.
          return type === 'SIGN' ? signing.get(email)!.run(send) : send();
        }),
      );
      for (const [index, answer] of answers.entries()) {
        if (answer.status === 200) {
          stats.acknowledged.push({ agreementId: id, event: sent[index]![1], version: answer.body.version });
          options.onProgress?.(stats);
        } else if (retryable(answer)) await backOff(answer);
        // 409: someone moved it first (the race partner, or our own request whose answer was lost); read again.
        else if (answer.status !== 409) {
          stats.failures.push(`${sent[index]![1]} on ${id} -> ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
          return;
        }
      }
    }
  }

  await Promise.all(
    Array.from({ length: options.clients }, async (_, client) => {
      for (let index = 0; index < options.agreementsPerClient && Date.now() < deadline; index += 1) {
        const id = await create(client);
        if (id === undefined) return;
        await carry(client, id);
      }
    }),
  );
  return stats;
}

/** At most `permits` of the functions given to run() at once; the others wait their turn, in order. */
class Semaphore {
  private readonly waiting: (() => void)[] = [];
  constructor(private permits: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.permits > 0) this.permits -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.permits += 1;
    }
  }
}

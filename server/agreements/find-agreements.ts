import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  findSearchHits,
  listRegister,
  type RegisterPosition,
  type RegisterQuery,
  type RegisterRow,
} from '../../db/repositories/agreement-search.repository.ts';
import { listRegistrationNumbers } from '../../db/repositories/registrations.repository.ts';
import { findParty } from '../../db/repositories/parties.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import { type AgreementEventType, FORWARD_EVENTS, STATES } from '../../workflows/agreement/agreement.events.ts';
import { agreementMachine } from '../../workflows/agreement/agreement.machine.ts';
import { decide } from '../auth/policy.ts';
import { MalformedRequestError } from '../errors.ts';
import { excerptAround, findMarks, parseQuery, QUERY_LIMITS, type SearchTerm } from '../search/search-words.ts';
import { clauseLibrary } from '../text/clause-library.ts';
import { LANGUAGES, type Lang } from '../text/languages.ts';
import type { UseCaseDeps } from './deps.ts';
import { findAgreementRecords } from './load-agreement.ts';

/** The forward events each state takes: only these are put to the policy, row by row (each is a machine step). */
const FORWARD_EVENTS_OF_STATE = new Map(
  Object.entries(agreementMachine.root.states).map(([state, node]) => [state, FORWARD_EVENTS.filter((type) => node.events.includes(type))]),
);

/** The states in which the machine takes a forward event at all: an agreement elsewhere waits for nobody. */
const WAITING_STATES = [...FORWARD_EVENTS_OF_STATE].filter(([, events]) => events.length > 0).map(([state]) => state);

const MAX_LIMIT = 100;
const DEFAULT_LIMIT = 25;
/** How many candidates one request looks at for `waitingForMe`, which the policy decides row by row. */
const WAITING_SCAN = 1000;
const HITS_PER_AGREEMENT = 3;

const isoDay = z.iso.date({ error: 'must be a date YYYY-MM-DD' });
const list = <T extends string>(values: readonly [T, ...T[]], name: string) =>
  z
    .string()
    .max(500)
    .transform((value) => value.split(',').filter(Boolean))
    .pipe(z.array(z.enum(values, { error: `must be ${name}, comma-separated` })).max(values.length));

/** The query string of `GET /api/agreements` (and the list page), each parameter optional. */
export const findAgreementsInput = z
  .object({
    q: z.string().max(QUERY_LIMITS.characters, `at most ${QUERY_LIMITS.characters} characters`).optional(),
    state: list(STATES, `states (${STATES.join(', ')})`).optional(),
    kind: z.string().max(500).optional(),
    counterparty: z.string().min(1).max(64).optional(),
    signedFrom: isoDay.optional(),
    signedTo: isoDay.optional(),
    inForceOn: isoDay.optional(),
    registration: z.string().trim().min(1).max(100).optional(),
    waitingForMe: z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' }).optional(),
    sort: z.enum(['changed', 'signed', 'title'], { error: 'must be changed, signed or title' }).optional(),
    limit: z
      .string()
      .regex(/^[0-9]{1,3}$/, `must be a whole number from 1 to ${MAX_LIMIT}`)
      .transform(Number)
      .pipe(z.number().int().min(1, `must be from 1 to ${MAX_LIMIT}`).max(MAX_LIMIT, `must be from 1 to ${MAX_LIMIT}`))
      .optional(),
    cursor: z.string().max(1000).optional(),
    lang: z.enum(LANGUAGES, { error: `must be ${LANGUAGES.join(', ')}` }).optional(),
  })
  .strip();
export type FindAgreementsInput = z.input<typeof findAgreementsInput>;

/** Where the words were found: the article (clause key and heading), the language, an excerpt with the words marked. */
export interface SearchHit {
  readonly clause: string;
  readonly heading: string | null;
  readonly lang: string;
  readonly excerpt: string;
  /** [start, end) in UTF-16 code units of `excerpt`. */
  readonly marks: readonly { readonly start: number; readonly end: number }[];
}

export interface FoundAgreement {
  readonly id: number;
  readonly kind: string;
  /** The title in the reader's language when the text has it, else the agreement's name. */
  readonly title: string;
  /** The agreement's own name, as given or made at its creation. */
  readonly name: string;
  readonly state: string;
  readonly version: number;
  readonly updatedAt: string;
  readonly signedAt: string | null;
  /** What this user may do now to move it forward; empty when it waits for someone else. */
  readonly waitingFor: readonly AgreementEventType[];
  /** With a query: where its words were found (at most three texts). */
  readonly hits?: readonly SearchHit[];
}

export interface AgreementsPage {
  readonly agreements: readonly FoundAgreement[];
  /** The cursor of the next page, null on the last. */
  readonly next: string | null;
  /** The language the titles are in: the one asked for, else the user's. */
  readonly lang: Lang;
}

interface Cursor {
  readonly v: 1;
  /** A digest of the filters and sort the cursor was made for: another query's cursor is refused. */
  readonly f: string;
  readonly k: string;
  readonly i: number;
}

function fingerprint(parts: object): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

function encodeCursor(filters: string, position: RegisterPosition): string {
  return Buffer.from(JSON.stringify({ v: 1, f: filters, k: position.key, i: position.id } satisfies Cursor)).toString('base64url');
}

function decodeCursor(cursor: string, filters: string): RegisterPosition {
  let parsed: Partial<Cursor> | undefined;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (parsed?.v !== 1 || typeof parsed.k !== 'string' || !Number.isSafeInteger(parsed.i) || typeof parsed.f !== 'string') {
    throw new MalformedRequestError('cursor: not a cursor this server gave out; start again without one', { field: 'cursor' });
  }
  if (parsed.f !== filters) {
    throw new MalformedRequestError('cursor: it belongs to another search, filter or sort; start again without one', { field: 'cursor' });
  }
  return { key: parsed.k, id: parsed.i! };
}

/**
 * Where the words were found in each agreement, at most three texts each. Marks are found once per text
 * (agreements share most of their texts) and only until an agreement has its three: a common word is in
 * a score of texts of every agreement on the page, and finding marks stems every word of a text.
 */
function hitsByAgreement(terms: readonly SearchTerm[], rows: Awaited<ReturnType<typeof findSearchHits>>): Map<number, SearchHit[]> {
  const marksOfText = new Map<string, [number, number][]>();
  const hits = new Map<number, SearchHit[]>();
  for (const row of rows) {
    const found = hits.get(row.agreementId) ?? [];
    hits.set(row.agreementId, found);
    if (found.length === HITS_PER_AGREEMENT) continue;
    let marks = marksOfText.get(row.body);
    if (!marks) {
      marks = findMarks(row.body, terms);
      marksOfText.set(row.body, marks);
    }
    if (marks.length === 0) continue;
    const excerpt = excerptAround(row.body, marks);
    found.push({ clause: row.clauseKey, heading: row.heading, lang: row.lang, excerpt: excerpt.text, marks: excerpt.marks });
  }
  return hits;
}

/**
 * The register: a page of the agreements of the user's party, filtered, searched in every language
 * of their current texts and sorted, with what each waits for from this user. Reads only.
 */
export async function findAgreements(deps: UseCaseDeps, user: User, raw: unknown): Promise<AgreementsPage> {
  const parsed = findAgreementsInput.safeParse(raw ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => ({ field: issue.path.join('.'), problem: issue.message }));
    throw new MalformedRequestError(problems.map((entry) => `${entry.field}: ${entry.problem}`).join('; '), { problems });
  }
  const input = parsed.data;
  const kinds = input.kind?.split(',').filter(Boolean);
  const unknownKind = kinds?.find((kind) => !clauseLibrary().kinds.has(kind));
  if (unknownKind !== undefined) {
    throw new MalformedRequestError(`kind: "${unknownKind}" is not a kind; kinds: ${[...clauseLibrary().kinds.keys()].join(', ')}`, {
      field: 'kind',
    });
  }
  const terms = input.q === undefined ? [] : parseQuery(input.q);
  if (terms.length > QUERY_LIMITS.terms) {
    throw new MalformedRequestError(`q: at most ${QUERY_LIMITS.terms} words`, { field: 'q', limit: `${QUERY_LIMITS.terms} words` });
  }
  const lang: Lang = input.lang ?? user.locale ?? (await findParty(deps.db, user.party))?.language ?? 'en';
  const waitingForMe = input.waitingForMe === 'true' || input.waitingForMe === '1';
  const sort = input.sort ?? 'changed';
  const limit = input.limit ?? DEFAULT_LIMIT;
  const filters = fingerprint({
    party: user.party,
    terms: terms.map((term) => term.words),
    state: input.state,
    kinds,
    counterparty: input.counterparty,
    signedFrom: input.signedFrom,
    signedTo: input.signedTo,
    inForceOn: input.inForceOn,
    registration: input.registration,
    waitingForMe,
    sort,
    lang: sort === 'title' ? lang : undefined,
  });
  // A query with no word in it ("!!!") finds nothing rather than everything.
  if (input.q !== undefined && input.q.trim() !== '' && terms.length === 0) return { agreements: [], next: null, lang };

  const states = waitingForMe ? (input.state ?? WAITING_STATES).filter((state) => WAITING_STATES.includes(state)) : input.state;
  if (states && states.length === 0) return { agreements: [], next: null, lang };
  const query: RegisterQuery = {
    party: user.party,
    lang,
    states,
    kinds,
    counterparty: input.counterparty,
    signedFrom: input.signedFrom,
    signedTo: input.signedTo,
    inForceOn: input.inForceOn,
    registration: input.registration,
    match: terms.length > 0 ? terms : undefined,
    sort,
    after: input.cursor === undefined ? undefined : decodeCursor(input.cursor, filters),
    limit: limit + 1,
  };

  const found: { row: RegisterRow; waitingFor: AgreementEventType[] }[] = [];
  let more = false;
  let scanned = 0;
  let last: RegisterPosition | undefined;
  // Without waitingForMe one read answers; with it, the policy decides row by row, a bounded number per request.
  for (;;) {
    const rows = await listRegister(deps.db, { ...query, after: last ?? query.after });
    const records = await findAgreementRecords(
      deps.db,
      rows.map((row) => row.id),
    );
    for (const row of rows) {
      const record = records.get(row.id);
      const waitingFor = record
        ? (FORWARD_EVENTS_OF_STATE.get(record.state) ?? []).filter((type) => decide(user, record, `event.${type}`).allowed)
        : [];
      scanned += 1;
      last = row.position;
      if (waitingForMe && waitingFor.length === 0) continue;
      if (found.length === limit) {
        more = true;
        break;
      }
      found.push({ row, waitingFor });
    }
    if (more || rows.length < query.limit) break;
    if (scanned >= WAITING_SCAN) {
      more = true;
      break;
    }
  }
  const hitRows =
    terms.length > 0
      ? await findSearchHits(
          deps.db,
          found.map(({ row }) => row.id),
          terms,
        )
      : [];
  const hits = hitsByAgreement(terms, hitRows);
  const registrations = await listRegistrationNumbers(
    deps.db,
    found.map(({ row }) => row.id),
  );
  const agreements = found.map(({ row, waitingFor }) => ({
    id: row.id,
    kind: row.kind,
    title: row.title,
    name: row.name,
    state: row.state,
    version: row.version,
    updatedAt: row.updatedAt,
    signedAt: row.signedAt,
    waitingFor,
    registrations: registrations
      .filter((registration) => registration.agreementId === row.id)
      .map(({ party, number, registeredOn }) => ({ party, number, registeredOn })),
    ...(terms.length > 0 && { hits: hits.get(row.id) ?? [] }),
  }));
  // The next page starts after the last row shown, or, when the scan stopped early, after the last row looked at.
  const nextPosition = !more ? undefined : found.length === limit ? found.at(-1)!.row.position : last;
  return { agreements, next: nextPosition ? encodeCursor(filters, nextPosition) : null, lang };
}

import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { isPostgres, type Queryable } from '../connection.ts';
import { LANGUAGES } from '../stored-shapes.ts';
import type { AgreementState } from '../../workflows/agreement/agreement.events.ts';

/**
 * The register: the search index of each agreement's current text and the list of a party's
 * agreements, filtered, searched, sorted and paged by keyset. The index words are made above db/
 * (server/search/search-words.ts) and only stored and matched here, by each engine's full-text index.
 */

/** One text of an agreement's current text as it is indexed: a title or a clause in one language. */
export interface SearchEntry {
  /** '' for the agreement's own name, 'title' for its title clause, else the clause key. */
  readonly clauseKey: string;
  readonly lang: string;
  /** Order in the text, so hits are named in reading order. */
  readonly position: number;
  /** "Статья 3", "제3조", "Article 3"; null for the title, preamble and final clause. */
  readonly heading: string | null;
  readonly body: string;
  readonly words: string;
}

/** What a search asks the index: every term must be in one text; a term is words one after the other. */
export interface MatchTerm {
  readonly words: readonly string[];
  readonly prefix: boolean;
}

const ROWS_PER_STATEMENT = 200;

function textKey(entry: Pick<SearchEntry, 'lang' | 'body'>): string {
  return createHash('sha256').update(`${entry.lang}\u0000${entry.body}`, 'utf8').digest('hex');
}

/**
 * Replaces what the index holds for an agreement with its current text: its entries, and its title per
 * reader language. Texts are stored once for every agreement that has them. Call inside the
 * transaction that writes the text, so the index never disagrees with a committed text.
 */
export async function replaceSearchIndex(
  db: Queryable,
  agreementId: number,
  index: { entries: readonly SearchEntry[]; titles: Readonly<Record<string, string>> },
): Promise<void> {
  const texts = new Map(index.entries.map((entry) => [textKey(entry), entry]));
  const keys = [...texts.keys()];
  for (let start = 0; start < keys.length; start += ROWS_PER_STATEMENT) {
    await db('search_texts')
      .insert(
        keys.slice(start, start + ROWS_PER_STATEMENT).map((sha256) => {
          const { lang, body, words } = texts.get(sha256)!;
          return { sha256, lang, body, words };
        }),
      )
      .onConflict('sha256')
      .ignore();
  }
  const ids = new Map<string, number>();
  for (let start = 0; start < keys.length; start += ROWS_PER_STATEMENT) {
    const rows: { id: number; sha256: string }[] = await db('search_texts')
      .whereIn('sha256', keys.slice(start, start + ROWS_PER_STATEMENT))
      .select('id', 'sha256');
    for (const row of rows) ids.set(row.sha256, row.id);
  }
  await db('search_entries').where({ agreement_id: agreementId }).delete();
  const entries = index.entries.map((entry) => ({
    agreement_id: agreementId,
    clause_key: entry.clauseKey,
    lang: entry.lang,
    position: entry.position,
    heading: entry.heading,
    text_id: ids.get(textKey(entry))!,
  }));
  for (let start = 0; start < entries.length; start += ROWS_PER_STATEMENT) {
    await db('search_entries').insert(entries.slice(start, start + ROWS_PER_STATEMENT));
  }
  // A title in every reader language, so a page sorted by title walks the index: the text's own where
  // it has the language, else the agreement's name, as the list shows it.
  await db('agreement_titles').where({ agreement_id: agreementId }).delete();
  const { title: name } = await db('agreements').where({ id: agreementId }).first('title');
  await db('agreement_titles').insert(
    LANGUAGES.map((lang) => {
      const own = index.titles[lang];
      return { agreement_id: agreementId, lang, title: own ?? name, from_text: own !== undefined };
    }),
  );
}

/** The titles these agreements' texts have, by agreement id and language (no entry: the text lacks it, or is not indexed yet). */
export async function findAgreementTitles(db: Queryable, agreementIds: readonly number[]): Promise<Map<number, Map<string, string>>> {
  const titles = new Map<number, Map<string, string>>();
  if (agreementIds.length === 0) return titles;
  const rows: { agreement_id: number; lang: string; title: string }[] = await db('agreement_titles')
    .whereIn('agreement_id', [...new Set(agreementIds)])
    .where('from_text', true)
    .select('agreement_id', 'lang', 'title');
  for (const row of rows) {
    const id = Number(row.agreement_id);
    if (!titles.has(id)) titles.set(id, new Map());
    titles.get(id)!.set(row.lang, row.title);
  }
  return titles;
}

/** Up to `limit` agreements that have nothing in the index yet, oldest first (written before the index existed). */
export async function listUnindexedAgreements(db: Queryable, limit: number): Promise<number[]> {
  return db('agreements')
    .whereNotExists(db('agreement_titles').whereRaw('agreement_titles.agreement_id = agreements.id').select(db.raw('1')))
    .orderBy('id')
    .limit(limit)
    .pluck('id');
}

function ftsQuery(terms: readonly MatchTerm[]): string {
  // Words are letters and digits only (search-words.ts), so quoting them is all the escaping needed.
  return terms.map((term) => `"${term.words.join(' ')}"${term.prefix ? '*' : ''}`).join(' AND ');
}

function tsQuery(terms: readonly MatchTerm[]): string {
  return terms
    .map((term) => {
      const words = term.words.map((word, index) => `'${word}'${term.prefix && index === term.words.length - 1 ? ':*' : ''}`);
      return words.length > 1 ? `(${words.join(' <-> ')})` : words[0];
    })
    .join(' & ');
}

/** The ids of the stored texts that hold every term, as a subquery. */
function matchingTexts(db: Queryable, terms: readonly MatchTerm[]): Knex.QueryBuilder {
  if (isPostgres(db)) {
    return db('search_texts')
      .whereRaw(`to_tsvector('simple', words) @@ to_tsquery('simple', ?)`, [tsQuery(terms)])
      .select('id');
  }
  return db('search_texts_fts')
    .whereRaw('search_texts_fts MATCH ?', [ftsQuery(terms)])
    .select('rowid');
}

export type RegisterSort = 'changed' | 'signed' | 'title';

/** Where a page starts: after the row with this sort key and id. */
export interface RegisterPosition {
  readonly key: string;
  readonly id: number;
}

export interface RegisterQuery {
  /** The reader's party: only its agreements. */
  readonly party: string;
  /** The reader's language: the title shown and sorted by. */
  readonly lang: string;
  readonly states?: readonly string[] | undefined;
  readonly kinds?: readonly string[] | undefined;
  readonly counterparty?: string | undefined;
  /** YYYY-MM-DD, inclusive: the day the last party signed. */
  readonly signedFrom?: string | undefined;
  readonly signedTo?: string | undefined;
  /** YYYY-MM-DD: in force on that day (entered into force, not yet ended). */
  readonly inForceOn?: string | undefined;
  /** A registration number any party recorded (server/registration), exactly. */
  readonly registration?: string | undefined;
  readonly match?: readonly MatchTerm[] | undefined;
  readonly sort: RegisterSort;
  readonly after?: RegisterPosition | undefined;
  readonly limit: number;
  /** When a search computes its matches first and how far it walks otherwise: `SEARCH_PLAN` unless a test asks for others. */
  readonly plan?: SearchPlan | undefined;
}

/** A row of the register as the list shows it. */
export interface RegisterRow {
  readonly id: number;
  readonly kind: string;
  /** In the reader's language when the agreement has it, else the agreement's own name. */
  readonly title: string;
  /** The agreement's own name (agreements.title), as it was given or made at its creation. */
  readonly name: string;
  readonly state: AgreementState;
  readonly version: number;
  readonly updatedAt: string;
  /** The time the last party signed; null until both have. */
  readonly signedAt: string | null;
  /** Where the next page starts if this is the last row of a page. */
  readonly position: RegisterPosition;
}

/** Where a search changes plans (see `searchPositions`). */
export interface SearchPlan {
  /**
   * Below this many matching index entries the matching agreements are computed first (few, so cheap
   * to sort); at or above it the list is walked in order instead.
   */
  readonly sparseMatches: number;
  /**
   * How many of the party's agreements, in the page's order, the walk probes one by one before the
   * matches of the rest of the list are computed instead: words found in many agreements fill a page
   * within the first few dozen probed.
   */
  readonly walk: number;
}

export const SEARCH_PLAN: SearchPlan = { sparseMatches: 5000, walk: 1000 };

interface RegisterSelection {
  /** The party's agreements with the filters and the cursor applied, neither ordered nor cut. */
  readonly builder: Knex.QueryBuilder;
  readonly sortExpression: string;
  /** The id the order ends with: the column of the order's index. */
  readonly idExpression: string;
  readonly direction: 'ASC' | 'DESC';
}

/** The party's agreements the query's filters and cursor leave, as rows of the list or only as positions (id, sort_key). */
function registerSelection(db: Queryable, query: RegisterQuery, columns: 'rows' | 'positions'): RegisterSelection {
  const byTitle = query.sort === 'title';
  // Sorted by title, the titles in the reader's language are the outer loop: their (lang, title,
  // agreement_id) index is the page's order (every indexed agreement has a row in every language).
  const titleExpression = byTitle ? 'agreement_titles.title' : 'COALESCE(agreement_titles.title, agreements.title)';
  const sortExpression = {
    changed: 'agreements.updated_at',
    // As the index agreements_signed_sort_index has it.
    signed: "COALESCE(agreements.signed_at, '')",
    title: titleExpression,
  }[query.sort];
  const idExpression = byTitle ? 'agreement_titles.agreement_id' : 'agreements.id';
  const descending = query.sort !== 'title';
  // On SQLite, CROSS JOIN keeps the order's table the outer loop, so a page of the list walks the index
  // of its order and stops; without statistics SQLite starts from the party's rows instead (all of them,
  // at 100,000 agreements 0.3-2 s) and sorts them. PostgreSQL chooses by its statistics (and has no CROSS JOIN ... ON).
  const innerJoin = isPostgres(db) ? 'join' : 'crossJoin';
  const mine = function (this: Knex.JoinClause) {
    this.on('mine.agreement_id', '=', 'agreements.id').andOn('mine.party_key', '=', db.raw('?', [query.party]));
  };
  const builder = (
    byTitle
      ? db('agreement_titles')
          .where('agreement_titles.lang', query.lang)
          [innerJoin]('agreements', function () {
            this.on('agreements.id', '=', 'agreement_titles.agreement_id');
          })
          [innerJoin]('agreement_parties as mine', mine)
      : db('agreements')
          [innerJoin]('agreement_parties as mine', mine)
          .leftJoin('agreement_titles', function () {
            this.on('agreement_titles.agreement_id', '=', 'agreements.id').andOn('agreement_titles.lang', '=', db.raw('?', [query.lang]));
          })
  ).select('agreements.id', db.raw(`${sortExpression} AS sort_key`));
  if (columns === 'rows') {
    builder.select(
      'agreements.kind',
      'agreements.state',
      'agreements.version',
      'agreements.updated_at',
      'agreements.title as name',
      db.raw(`${titleExpression} AS title`),
      'agreements.signed_at',
    );
  }
  if (query.states?.length) builder.whereIn('agreements.state', query.states);
  if (query.kinds?.length) builder.whereIn('agreements.kind', query.kinds);
  if (query.counterparty !== undefined) {
    builder.whereExists(
      db('agreement_parties as other')
        .whereRaw('other.agreement_id = agreements.id')
        .andWhere('other.party_key', query.counterparty)
        .andWhereNot('other.party_key', query.party)
        .select(db.raw('1')),
    );
  }
  if (query.signedFrom !== undefined) builder.whereRaw('SUBSTR(agreements.signed_at, 1, 10) >= ?', [query.signedFrom]);
  if (query.signedTo !== undefined) builder.whereRaw('SUBSTR(agreements.signed_at, 1, 10) <= ?', [query.signedTo]);
  if (query.inForceOn !== undefined) {
    const day = query.inForceOn;
    builder
      .where('agreements.in_force_on', '<=', day)
      .andWhere((ended) => ended.whereNull('agreements.terminates_on').orWhere('agreements.terminates_on', '>', day))
      .andWhere((ended) => ended.whereNull('agreements.expires_on').orWhere('agreements.expires_on', '>', day));
  }
  if (query.registration !== undefined) {
    builder.whereIn('agreements.id', db('registrations').where('number', query.registration).select('agreement_id'));
  }
  if (query.after) {
    // A row value, so both engines start the index scan at the cursor instead of filtering from the top.
    builder.whereRaw(`(${sortExpression}, ${idExpression}) ${descending ? '<' : '>'} (?, ?)`, [query.after.key, query.after.id]);
  }
  return { builder, sortExpression, idExpression, direction: descending ? 'DESC' : 'ASC' };
}

function inPageOrder({ builder, sortExpression, idExpression, direction }: RegisterSelection): Knex.QueryBuilder {
  return builder.orderByRaw(`${sortExpression} ${direction}, ${idExpression} ${direction}`);
}

interface PositionRecord {
  id: number;
  sort_key: string;
}

interface RowRecord extends PositionRecord {
  kind: string;
  state: AgreementState;
  version: number;
  updated_at: string;
  title: string;
  name: string;
  signed_at: string | null;
}

/** The ids of the agreements that hold a text with every term, one row per index entry; on PostgreSQL an index probe per text. */
function matchingEntries(db: Queryable, terms: readonly MatchTerm[]): Knex.QueryBuilder {
  if (isPostgres(db)) {
    // Probed per matching text through (text_id, agreement_id): PostgreSQL cannot estimate how many
    // texts a tsquery matches, guesses hundreds, and would read every entry instead (1.3 s at 100,000).
    // OFFSET 0 keeps the planner from flattening the lateral subquery back into a join it would hash, and
    // the texts are found first by their index, whatever LIMIT the caller puts on the entries.
    return db
      .queryBuilder()
      .withMaterialized('matching_texts', matchingTexts(db, terms))
      .from('matching_texts')
      .joinRaw(
        'CROSS JOIN LATERAL (SELECT agreement_id FROM search_entries WHERE search_entries.text_id = matching_texts.id OFFSET 0) AS entries',
      )
      .select('entries.agreement_id');
  }
  return db('search_entries').whereIn('text_id', matchingTexts(db, terms)).select('agreement_id');
}

/** How many index entries match, counted up to `upTo`: bounded work however common the words are. */
async function countMatchingEntries(db: Queryable, terms: readonly MatchTerm[], upTo: number): Promise<number> {
  const [row] = await db.from(matchingEntries(db, terms).limit(upTo).as('entries')).count({ count: '*' });
  return Number(row!.count);
}

/** The page's positions when every matching agreement is computed first, then sorted and cut: cheap when they are few. */
async function matchesComputedFirst(db: Queryable, query: RegisterQuery, terms: readonly MatchTerm[]): Promise<PositionRecord[]> {
  const selection = registerSelection(db, query, 'positions');
  if (isPostgres(db)) {
    // Computed once, first, then each looked up by id: PostgreSQL's guess of their number is no better
    // than for the texts, and a guess too low hashes every agreement of the list (seen in bench/list-bench.ts).
    const page = selection.builder.whereRaw('agreements.id = matched_agreements.agreement_id');
    const matched: Knex.QueryBuilder = db.from(matchingEntries(db, terms).as('entries')).distinct('agreement_id');
    return db
      .queryBuilder()
      .withMaterialized('matched_agreements', matched)
      .from('matched_agreements')
      .crossJoin(db.raw('LATERAL (? OFFSET 0) AS page', [page]))
      .select('page.id', 'page.sort_key')
      .orderByRaw(`page.sort_key ${selection.direction}, page.id ${selection.direction}`)
      .limit(query.limit);
  }
  selection.builder.whereIn('agreements.id', matchingEntries(db, terms));
  return inPageOrder(selection).limit(query.limit);
}

/**
 * The page's positions from the first `walk` agreements in the page's order, each probed for a matching
 * text, stopping at a full page: cheap for words found in many agreements, which the other plan would
 * compute in full before cutting the page.
 */
async function matchesWalking(db: Queryable, query: RegisterQuery, terms: readonly MatchTerm[], walk: number): Promise<PositionRecord[]> {
  const selection = registerSelection(db, query, 'positions');
  const walked = inPageOrder(selection).limit(walk).as('walked');
  const probe = db('search_entries')
    .whereRaw('search_entries.agreement_id = walked.id')
    .whereIn('search_entries.text_id', matchingTexts(db, terms))
    .select(db.raw('1'))
    .limit(1);
  // A scalar subquery with LIMIT, not EXISTS: PostgreSQL turns EXISTS into a semi-join it may plan as a
  // hash of every matching entry (millions for a common word); this is probed per walked row, in order.
  return db
    .from(walked)
    .whereRaw('? IS NOT NULL', [probe])
    .select('walked.id', 'walked.sort_key')
    .orderByRaw(`walked.sort_key ${selection.direction}, walked.id ${selection.direction}`)
    .limit(query.limit);
}

/**
 * The positions of a search's page: computed first when the matches are few, else walked (see
 * `SearchPlan`). The walk suits every sort: each of the three orders is an index, so a walk costs what
 * a page of the plain list costs, and no more whatever the number of matches.
 */
async function searchPositions(db: Queryable, query: RegisterQuery, terms: readonly MatchTerm[]): Promise<PositionRecord[]> {
  const { sparseMatches, walk } = query.plan ?? SEARCH_PLAN;
  if ((await countMatchingEntries(db, terms, sparseMatches)) < sparseMatches) {
    return matchesComputedFirst(db, query, terms);
  }
  const walked = await matchesWalking(db, query, terms, walk);
  if (walked.length === query.limit) return walked;
  const lastWalked: PositionRecord | undefined = await inPageOrder(registerSelection(db, query, 'positions'))
    .offset(walk - 1)
    .first();
  // Fewer agreements than the walk after the cursor: the walk saw them all.
  if (!lastWalked) return walked;
  const rest = await matchesComputedFirst(
    db,
    { ...query, after: { key: lastWalked.sort_key, id: lastWalked.id }, limit: query.limit - walked.length },
    terms,
  );
  return [...walked, ...rest];
}

function registerRow(row: RowRecord): RegisterRow {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    name: row.name,
    state: row.state,
    version: row.version,
    updatedAt: row.updated_at,
    signedAt: row.signed_at,
    position: { key: row.sort_key, id: row.id },
  };
}

/**
 * One page of the party's agreements in a stable order: last change (newest first), signature (newest
 * first, unsigned last) or title (A to Z in the reader's language), each ending with the id, so rows
 * inserted or changed between two pages move but never repeat or vanish from the rows not yet read
 * except by their own change. A search finds the page's agreements first, by the plan that suits how
 * common its words are, and then reads their rows. Reads only.
 */
export async function listRegister(db: Queryable, query: RegisterQuery): Promise<RegisterRow[]> {
  const terms = query.match;
  if (!terms?.length) {
    const rows: RowRecord[] = await inPageOrder(registerSelection(db, query, 'rows')).limit(query.limit);
    return rows.map(registerRow);
  }
  const positions = await searchPositions(db, query, terms);
  if (positions.length === 0) return [];
  const rows: RowRecord[] = await registerSelection(db, { ...query, after: undefined }, 'rows').builder.whereIn(
    'agreements.id',
    positions.map((position) => position.id),
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  return positions.flatMap((position) => {
    const row = byId.get(position.id);
    return row ? [registerRow(row)] : [];
  });
}

/** Where the words were found in each of these agreements: the texts holding every term, in reading order. */
export async function findSearchHits(
  db: Queryable,
  agreementIds: readonly number[],
  terms: readonly MatchTerm[],
): Promise<{ agreementId: number; clauseKey: string; lang: string; heading: string | null; body: string }[]> {
  if (agreementIds.length === 0 || terms.length === 0) return [];
  const rows: { agreement_id: number; clause_key: string; lang: string; heading: string | null; body: string }[] = await db(
    'search_entries',
  )
    .join('search_texts', 'search_texts.id', 'search_entries.text_id')
    .whereIn('search_entries.agreement_id', agreementIds)
    .whereIn('search_entries.text_id', matchingTexts(db, terms))
    .orderBy(['search_entries.agreement_id', 'search_entries.position', 'search_entries.lang'])
    .select(
      'search_entries.agreement_id',
      'search_entries.clause_key',
      'search_entries.lang',
      'search_entries.heading',
      'search_texts.body',
    );
  return rows.map((row) => ({
    agreementId: row.agreement_id,
    clauseKey: row.clause_key,
    lang: row.lang,
    heading: row.heading,
    body: row.body,
  }));
}

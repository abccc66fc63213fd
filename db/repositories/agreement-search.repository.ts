import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { isPostgres, type Queryable } from '../connection.ts';
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
  await db('agreement_titles').where({ agreement_id: agreementId }).delete();
  const titles = Object.entries(index.titles).map(([lang, title]) => ({ agreement_id: agreementId, lang, title }));
  if (titles.length > 0) await db('agreement_titles').insert(titles);
}

/** The titles the index holds for these agreements, by agreement id and language (no entry: not indexed yet). */
export async function findAgreementTitles(db: Queryable, agreementIds: readonly number[]): Promise<Map<number, Map<string, string>>> {
  const titles = new Map<number, Map<string, string>>();
  if (agreementIds.length === 0) return titles;
  const rows: { agreement_id: number; lang: string; title: string }[] = await db('agreement_titles')
    .whereIn('agreement_id', [...new Set(agreementIds)])
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

// The time the last party signed, only once every party has: null before.
const SIGNED_AT = `(SELECT MAX(s.signed_at) FROM signatures s WHERE s.agreement_id = agreements.id
  HAVING COUNT(*) = (SELECT COUNT(*) FROM agreement_parties p WHERE p.agreement_id = agreements.id))`;

/**
 * One page of the party's agreements in a stable order: last change (newest first), signature (newest
 * first, unsigned last) or title (A to Z in the reader's language), each ending with the id, so rows
 * inserted or changed between two pages move but never repeat or vanish from the rows not yet read
 * except by their own change. Reads only.
 */
export async function listRegister(db: Queryable, query: RegisterQuery): Promise<RegisterRow[]> {
  const titleExpression = 'COALESCE(agreement_titles.title, agreements.title)';
  const sortExpression = {
    changed: 'agreements.updated_at',
    signed: `COALESCE(${SIGNED_AT}, '')`,
    title: titleExpression,
  }[query.sort];
  const descending = query.sort !== 'title';
  const builder = db('agreements')
    .join('agreement_parties as mine', function () {
      this.on('mine.agreement_id', '=', 'agreements.id').andOn('mine.party_key', '=', db.raw('?', [query.party]));
    })
    .leftJoin('agreement_titles', function () {
      this.on('agreement_titles.agreement_id', '=', 'agreements.id').andOn('agreement_titles.lang', '=', db.raw('?', [query.lang]));
    })
    .select(
      'agreements.id',
      'agreements.kind',
      'agreements.state',
      'agreements.version',
      'agreements.updated_at',
      'agreements.title as name',
      db.raw(`${titleExpression} AS title`),
      db.raw(`${SIGNED_AT} AS signed_at`),
      db.raw(`${sortExpression} AS sort_key`),
    );
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
  if (query.signedFrom !== undefined) builder.whereRaw(`SUBSTR(${SIGNED_AT}, 1, 10) >= ?`, [query.signedFrom]);
  if (query.signedTo !== undefined) builder.whereRaw(`SUBSTR(${SIGNED_AT}, 1, 10) <= ?`, [query.signedTo]);
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
  if (query.match?.length) {
    const matched = db('search_entries').whereIn('text_id', matchingTexts(db, query.match)).select('agreement_id');
    if (isPostgres(db)) {
      // Computed once, first: with statistics, PostgreSQL otherwise walks every agreement in sort order
      // and probes the index per agreement (90 s for a word in one of 100,000, seen in bench/list-bench.ts).
      builder.withMaterialized('matched_agreements', matched).whereIn('agreements.id', db('matched_agreements').select('agreement_id'));
    } else {
      builder.whereIn('agreements.id', matched);
    }
  }
  if (query.after) {
    const comparison = descending ? '<' : '>';
    builder.whereRaw(`(${sortExpression} ${comparison} ? OR (${sortExpression} = ? AND agreements.id ${comparison} ?))`, [
      query.after.key,
      query.after.key,
      query.after.id,
    ]);
  }
  const direction = descending ? 'DESC' : 'ASC';
  const rows: {
    id: number;
    kind: string;
    state: AgreementState;
    version: number;
    updated_at: string;
    title: string;
    name: string;
    signed_at: string | null;
    sort_key: string;
  }[] = await builder.orderByRaw(`${sortExpression} ${direction}, agreements.id ${direction}`).limit(query.limit);
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    title: row.title,
    name: row.name,
    state: row.state,
    version: row.version,
    updatedAt: row.updated_at,
    signedAt: row.signed_at,
    position: { key: row.sort_key, id: row.id },
  }));
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

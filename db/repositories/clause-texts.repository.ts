import { createHash } from 'node:crypto';
import type { Queryable } from '../connection.ts';

/**
 * Clause texts stored once by their SHA-256 (`clause_texts`), so a version of an agreement's text
 * is a small manifest naming its texts instead of a copy of all of them: 400 edits of one clause
 * store 400 texts of that clause, not 400 agreements. Texts are shared by every version and every
 * agreement that uses them (a library clause is stored once), and never change once written.
 */

/**
 * A whole text as far as storage cares: clauses, each language of each with its text. Every other
 * member (variables, status, hashes) is carried through splitting and joining verbatim.
 */
export interface WholeText {
  readonly clauses: readonly { readonly languages: Readonly<Partial<Record<string, { readonly text: string }>>> }[];
}

/** The same text with each clause language's `text` replaced by `sha256`, the key of that text in `clause_texts`. */
export interface TextManifest {
  readonly clauses: readonly { readonly languages: Readonly<Partial<Record<string, { readonly sha256: string }>>> }[];
}

// SQLite allows 32,766 bound parameters per statement and PostgreSQL 65,535; stay well below both.
const ROWS_PER_STATEMENT = 500;

function textSha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Pure: the manifest of a text and the texts it names, keyed by their SHA-256. */
export function splitClauseTexts(whole: WholeText): { manifest: TextManifest; texts: Map<string, string> } {
  const texts = new Map<string, string>();
  const manifest = {
    ...whole,
    clauses: whole.clauses.map((clause) => ({
      ...clause,
      languages: Object.fromEntries(
        Object.entries(clause.languages).map(([lang, state]) => {
          const { text, ...rest } = state!;
          const sha256 = textSha256(text);
          texts.set(sha256, text);
          return [lang, { sha256, ...rest }];
        }),
      ),
    })),
  };
  return { manifest, texts };
}

/** Pure: the whole text a manifest names, member for member as it was split; a text missing from `texts` is an error. */
export function joinClauseTexts(manifest: TextManifest, texts: ReadonlyMap<string, string>): WholeText {
  return {
    ...manifest,
    clauses: manifest.clauses.map((clause) => ({
      ...clause,
      languages: Object.fromEntries(
        Object.entries(clause.languages).map(([lang, state]) => {
          const { sha256, ...rest } = state!;
          const text = texts.get(sha256);
          if (text === undefined) throw new Error(`clause_texts has no text ${sha256}`);
          return [lang, { text, ...rest }];
        }),
      ),
    })),
  };
}

/** Every SHA-256 a manifest names, each once. */
export function manifestHashes(manifest: TextManifest): string[] {
  return [...new Set(manifest.clauses.flatMap((clause) => Object.values(clause.languages).map((state) => state!.sha256)))];
}

/** Stores the texts not stored yet; a text already there (from any agreement) is left as it is. Call inside the change's transaction. */
export async function storeClauseTexts(db: Queryable, texts: ReadonlyMap<string, string>): Promise<void> {
  const rows = [...texts].map(([sha256, text]) => ({ sha256, text }));
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    await db('clause_texts')
      .insert(rows.slice(start, start + ROWS_PER_STATEMENT))
      .onConflict('sha256')
      .ignore();
  }
}

/** The stored texts with these SHA-256s, keyed by them. */
export async function findClauseTexts(db: Queryable, hashes: readonly string[]): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  for (let start = 0; start < hashes.length; start += ROWS_PER_STATEMENT) {
    const rows: { sha256: string; text: string }[] = await db('clause_texts')
      .whereIn('sha256', hashes.slice(start, start + ROWS_PER_STATEMENT))
      .select('sha256', 'text');
    for (const row of rows) texts.set(row.sha256, row.text);
  }
  return texts;
}

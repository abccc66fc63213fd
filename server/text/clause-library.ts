import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { LANGUAGES, type Lang } from './languages.ts';

/**
 * The bilingual clause library and the kinds of agreement, read from templates/ once per process.
 * A clause is a Handlebars template per language under templates/clauses/<key>/<lang>.hbs; a kind,
 * templates/kinds/<kind>.json, lists its clauses in order and says how the document names itself.
 */
const TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

const kindSchema = z
  .object({
    kind: z.string(),
    binding: z.boolean(),
    title: z.object({ en: z.string(), ru: z.string(), ko: z.string() }),
    /** How the texts refer to the document, with the Russian cases the clauses use. */
    document: z.object({
      en: z.object({ name: z.string(), ref: z.string() }),
      ru: z.object({ name: z.string(), nom: z.string(), gen: z.string(), acc: z.string(), ins: z.string(), pre: z.string() }),
      ko: z.object({ name: z.string(), ref: z.string() }),
    }),
    /** What a new agreement of this kind is about until legal staff say otherwise. */
    defaultSubject: z.object({ en: z.string(), ru: z.string(), ko: z.string() }),
    clauses: z.array(z.string()).min(1),
    /** A protocol: it amends an earlier instrument and takes that instrument's nature (binding or not). */
    amends: z.boolean().default(false),
  })
  .strict();
export type AgreementKind = z.infer<typeof kindSchema>;

export interface LibraryClause {
  readonly key: string;
  readonly texts: Record<Lang, string>;
}

/** Clauses outside the numbered articles: they have fixed places in the document. */
export const UNNUMBERED_CLAUSES = new Set(['title', 'preamble', 'final-clause']);

interface Library {
  readonly kinds: ReadonlyMap<string, AgreementKind>;
  readonly clauses: ReadonlyMap<string, LibraryClause>;
}

let library: Library | undefined;

function load(): Library {
  const clauses = new Map<string, LibraryClause>();
  for (const key of readdirSync(path.join(TEMPLATES_DIR, 'clauses')).sort()) {
    const texts = Object.fromEntries(
      LANGUAGES.map((lang) => [lang, stripComments(readFileSync(path.join(TEMPLATES_DIR, 'clauses', key, `${lang}.hbs`), 'utf8'))]),
    ) as Record<Lang, string>;
    clauses.set(key, { key, texts });
  }
  const kinds = new Map<string, AgreementKind>();
  for (const file of readdirSync(path.join(TEMPLATES_DIR, 'kinds'))
    .filter((name) => name.endsWith('.json'))
    .sort()) {
    const kind = kindSchema.parse(JSON.parse(readFileSync(path.join(TEMPLATES_DIR, 'kinds', file), 'utf8')));
    const unknown = kind.clauses.filter((key) => !clauses.has(key));
    if (unknown.length > 0) throw new Error(`templates/kinds/${file} names clauses not in the library: ${unknown.join(', ')}`);
    kinds.set(kind.kind, kind);
  }
  return { kinds, clauses };
}

/** The library's notes to editors ({{!-- ... --}}) stay in the files, not in an agreement's text. */
function stripComments(source: string): string {
  return source.replace(/\{\{!--[\s\S]*?--\}\}\s*/g, '').trim();
}

export function clauseLibrary(): Library {
  library ??= load();
  return library;
}

export function findKind(kind: string): AgreementKind | undefined {
  return clauseLibrary().kinds.get(kind);
}

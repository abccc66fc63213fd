import type { Lang } from '../text/languages.ts';
import {
  checkFields,
  editableToTemplate,
  fieldCatalog,
  parseEditable,
  plainText,
  serializeEditable,
  templateToEditable,
  type EditableDoc,
  type FieldCatalog,
} from '../text/editable-text.ts';
import type { AgreementRecord } from '../../db/repositories/agreements.repository.ts';
import { clauseContextFor, type AgreementSource } from './agreement-document.ts';
import type { UseCaseDeps } from './deps.ts';
import { loadAgreementSource, loadText } from './load-agreement.ts';

/**
 * The agreement's side of the editable format (server/text/editable-text.ts): the clause context a
 * language's fields are read in, the editable text of each stored clause template, and the template
 * an editable text is stored as. Fields are checked against the agreement's own data.
 *
 * The context is the one of the first party's original: conditionals and field names do not depend on
 * the original (only which party is `first` does), so any original gives the same conversion. Values
 * shown to a user come from their own party's original (`viewer`).
 */
export interface ClauseTextContext {
  readonly source: AgreementSource;
  /** The day a draft's undated signing date is shown as (YYYY-MM-DD). */
  readonly today: string;
}

/** The context of the agreement's current text. */
export async function loadClauseTextContext(deps: UseCaseDeps, record: AgreementRecord): Promise<ClauseTextContext> {
  const text = await loadText(deps.db, record);
  return { source: await loadAgreementSource(deps.db, record, text.text), today: deps.now().toISOString().slice(0, 10) };
}

/**
 * What a clause's template sees, made once per text, language and original: a Word export or import
 * reads every clause's paragraphs against it, and building it (parties, dates, citations) cost more
 * than the rest of the export. The context is only read, never changed.
 */
const contexts = new WeakMap<ClauseTextContext, Map<string, object>>();
export function contextOf(at: ClauseTextContext, lang: Lang, viewer?: string): object {
  const original = viewer ?? at.source.parties[0]!.key;
  let made = contexts.get(at);
  if (made === undefined) contexts.set(at, (made = new Map()));
  const key = `${lang}|${original}`;
  let context = made.get(key);
  if (context === undefined) made.set(key, (context = clauseContextFor(at.source, original, lang, at.today)));
  return context;
}

export function catalogOf(at: ClauseTextContext, lang: Lang, viewer?: string): FieldCatalog {
  return fieldCatalog(contextOf(at, lang, viewer));
}

/** The editable document of a clause's stored template in a language. */
export function editableDocOf(at: ClauseTextContext, key: string, lang: Lang): EditableDoc {
  const template = at.source.clauses.find((clause) => clause.key === key)?.texts[lang] ?? '';
  return templateToEditable(template, contextOf(at, lang), { clause: key, lang });
}

/** The editable text of a clause's stored template in a language (canonical spelling). */
export function editableTextOf(at: ClauseTextContext, key: string, lang: Lang): string {
  return serializeEditable(editableDocOf(at, key, lang));
}

/** Every clause's editable text per language, as GET /api/agreements/:id shows them. */
export function editableTexts(at: ClauseTextContext): Map<string, Partial<Record<Lang, string>>> {
  return new Map(
    at.source.clauses.map((clause) => [
      clause.key,
      Object.fromEntries(Object.keys(clause.texts).map((lang) => [lang, editableTextOf(at, clause.key, lang as Lang)])),
    ]),
  );
}

/** An editable text parsed and its fields checked against the agreement: 422 naming what is wrong. */
export function parseClauseText(at: ClauseTextContext, key: string, lang: Lang, text: string): EditableDoc {
  const doc = parseEditable(text, { clause: key, lang });
  checkFields(doc, catalogOf(at, lang), { clause: key, lang });
  return doc;
}

/**
 * The clause template a written text is stored as. A text holding {{ }} is a clause template itself,
 * the library's own language (for library authors and integrations written before the editable
 * format); it is checked as before, when the new text is rendered. Anything else is the editable format.
 */
export function storedTemplateOf(at: ClauseTextContext, key: string, lang: Lang, text: string): string {
  if (text.includes('{{')) return text;
  return editableToTemplate(parseClauseText(at, key, lang, text));
}

/** The text as a reader of that language reads it in the viewer's original: for word diffs. */
export function readableText(at: ClauseTextContext, doc: EditableDoc, key: string, lang: Lang, viewer?: string): string {
  const context = contextOf(at, lang, viewer);
  return plainText(doc, context, { clause: key, lang });
}

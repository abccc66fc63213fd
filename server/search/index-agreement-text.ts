import type { Queryable } from '../../db/connection.ts';
import { replaceSearchIndex, type SearchEntry } from '../../db/repositories/agreement-search.repository.ts';
import type { AgreementRecord } from '../../db/repositories/agreements.repository.ts';
import { buildAgreementDocument, type AgreementSource } from '../agreements/agreement-document.ts';
import type { Block } from '../text/markup.ts';
import { indexWords } from './search-words.ts';

function blocksText(blocks: readonly Block[] | undefined): string {
  return (blocks ?? []).map((block) => (block.type === 'paragraph' ? block.text : block.items.join('; '))).join(' ');
}

/**
 * Pure: what the register indexes of an agreement's text, as the first party's original prints it in
 * every language (the text is the same in both originals; only the order of the parties differs): the
 * agreement's own name, the title, the preamble, each article with its heading, the final clause.
 */
export function searchIndexOf(
  record: Pick<AgreementRecord, 'title' | 'parties'>,
  source: AgreementSource,
  today: string,
): { entries: SearchEntry[]; titles: Record<string, string> } {
  const document = buildAgreementDocument(source, { original: record.parties[0]!, date: today, final: false });
  const parts: Omit<SearchEntry, 'words' | 'position'>[] = [{ clauseKey: '', lang: 'und', heading: null, body: record.title }];
  for (const lang of document.languages) {
    parts.push({ clauseKey: 'title', lang, heading: null, body: document.title[lang] ?? '' });
    parts.push({ clauseKey: 'preamble', lang, heading: null, body: blocksText(document.preamble[lang]) });
    for (const article of document.articles) {
      parts.push({ clauseKey: article.key, lang, heading: article.heading[lang] ?? null, body: blocksText(article.body[lang]) });
    }
    parts.push({ clauseKey: 'final-clause', lang, heading: null, body: blocksText(document.finalClause[lang]) });
  }
  const order = new Map<string, number>();
  const entries = parts
    .filter((part) => part.body !== '')
    .map((part) => {
      if (!order.has(part.clauseKey)) order.set(part.clauseKey, order.size);
      return { ...part, position: order.get(part.clauseKey)!, words: indexWords(part.body) };
    });
  const titles = Object.fromEntries(document.languages.flatMap((lang) => (document.title[lang] ? [[lang, document.title[lang]]] : [])));
  return { entries, titles };
}

/** Writes the index of the agreement's text; call inside the transaction that writes that text. */
export async function indexAgreementText(
  db: Queryable,
  record: Pick<AgreementRecord, 'id' | 'title' | 'parties'>,
  source: AgreementSource,
  today: string,
): Promise<void> {
  await replaceSearchIndex(db, record.id, searchIndexOf(record, source, today));
}

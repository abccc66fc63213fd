import { buildAgreementDocument } from '../server/agreements/agreement-document.ts';
import type { AgreementDocument } from '../server/pdf/document-model.ts';
import { buildAgreementSource } from '../test/support/documents.ts';

/**
 * The demo agreement of cooperation in Russian and Korean, its articles repeated under new keys until
 * it has `articles` of them, as both final originals (one per party).
 */
export function originalsWithArticles(articles: number): AgreementDocument[] {
  const source = buildAgreementSource({ languages: ['ru', 'ko'] });
  const [title, preamble, ...rest] = source.clauses;
  const body = rest.filter((clause) => clause.key !== 'final-clause');
  const finalClause = rest.find((clause) => clause.key === 'final-clause')!;
  const extra = Array.from({ length: Math.max(0, articles - body.length) }, (_, index) => ({
    ...body[index % body.length]!,
    key: `repeat-${index + 1}`,
  }));
  const clauses = [title!, preamble!, ...body.slice(0, articles), ...extra, finalClause];
  return source.parties.map((party) =>
    buildAgreementDocument({ ...source, clauses }, { original: party.key, date: '2018-07-20', final: true }),
  );
}

/** The demo agreement of cooperation in Russian, Korean and English (A4 landscape), the Sverdlovsk original: a draft or final. */
export function demoDocument({ final }: { final: boolean }): AgreementDocument {
  const source = buildAgreementSource({ languages: ['ru', 'ko', 'en'] });
  return buildAgreementDocument(source, { original: source.parties[0]!.key, date: '2018-07-20', final });
}

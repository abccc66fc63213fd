import { buildAgreementDocument, type AgreementSource } from '../agreements/agreement-document.ts';
import { defaultVariables } from '../agreements/default-variables.ts';
import { renderAgreementPdfIsolated } from '../pdf/isolated-rendering.ts';
import { clauseLibrary, findKind } from '../text/clause-library.ts';
import type { Lang } from '../text/languages.ts';
import { DEMO_PARTIES, DEMO_USERS, SEED_AREAS } from './demo-parties.ts';

/** An agreement straight from the clause library between the demo parties; override what a caller needs. */
export function libraryAgreementSource(overrides: Partial<AgreementSource> & { kindName?: string } = {}): AgreementSource {
  const kind = findKind(overrides.kindName ?? 'cooperation-agreement')!;
  const languages: readonly Lang[] = overrides.languages ?? ['ru', 'ko'];
  const library = clauseLibrary().clauses;
  return {
    id: 1,
    version: 1,
    kind,
    languages,
    variables: { ...defaultVariables(kind, DEMO_PARTIES, languages, new Date('2018-07-20')), areas: [...SEED_AREAS] },
    parties: DEMO_PARTIES,
    clauses: kind.clauses.map((key) => ({ key, texts: library.get(key)!.texts })),
    signatories: new Map(DEMO_USERS.filter((user) => user.role === 'signatory').map((user) => [user.party, user.profile])),
    // A protocol always amends something (creation refuses one that does not): a cooperation agreement here.
    basedOn: kind.amends ? { kind: findKind('cooperation-agreement')!, date: '2014-06-14' } : null,
    ...overrides,
  };
}

/**
 * Typesets the library's agreement of cooperation in all three languages in the warm rendering thread
 * and throws the PDF away. A fresh thread spends about 1.5 s shaping words it has never seen; after
 * this, the first agreement a user asks for finds the library's words shaped and costs tens of ms.
 * The demo parties stand in for any two: what warms is the library's text, not their names.
 */
export async function warmUpTypesetting(): Promise<void> {
  const source = libraryAgreementSource({ languages: ['ru', 'ko', 'en'] });
  await renderAgreementPdfIsolated(buildAgreementDocument(source, { original: source.parties[0]!.key, date: '2018-07-20', final: false }));
}

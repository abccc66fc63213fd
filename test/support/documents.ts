import { buildAgreementDocument, type AgreementSource } from '../../server/agreements/agreement-document.ts';
import { defaultVariables } from '../../server/agreements/default-variables.ts';
import { DEMO_PARTIES, DEMO_USERS, SEED_AREAS } from '../../server/demo/demo-parties.ts';
import type { AgreementDocument } from '../../server/pdf/document-model.ts';
import { clauseLibrary, findKind } from '../../server/text/clause-library.ts';
import type { Lang } from '../../server/text/languages.ts';

/** An agreement source straight from the clause library with the demo parties; override what a test needs. */
export function buildAgreementSource(overrides: Partial<AgreementSource> & { kindName?: string } = {}): AgreementSource {
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

export function buildDocument(overrides: Parameters<typeof buildAgreementSource>[0] = {}, original = 'sverdlovsk'): AgreementDocument {
  return buildAgreementDocument(buildAgreementSource(overrides), { original, date: '2018-07-20', final: false });
}

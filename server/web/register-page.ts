import type { AgreementsPage, SearchHit } from '../agreements/find-agreements.ts';
import { STATES } from '../../workflows/agreement/agreement.events.ts';
import { clauseLibrary } from '../text/clause-library.ts';

/** The parameters of the list page the register reads; any other is ignored, a malformed one is a 400 page. */
const PARAMETERS = ['q', 'state', 'kind', 'registration', 'sort', 'waitingForMe', 'cursor'] as const;
type RegisterParameters = Partial<Record<(typeof PARAMETERS)[number], string>>;

/** The list page's query string as the register reads it: empty fields (an unsent filter) are left out. */
export function registerQuery(query: Record<string, unknown>): RegisterParameters {
  return Object.fromEntries(
    PARAMETERS.flatMap((name) => {
      const value = query[name];
      // A repeated parameter is passed on as it came, for the register to refuse it by name.
      return value === undefined || value === '' ? [] : [[name, value]];
    }),
  );
}

/** An excerpt as pieces, the found words marked, for the template to escape and wrap in <mark>. */
function excerptPieces(hit: SearchHit): { text: string; marked: boolean }[] {
  const pieces: { text: string; marked: boolean }[] = [];
  let at = 0;
  for (const mark of hit.marks) {
    if (mark.start > at) pieces.push({ text: hit.excerpt.slice(at, mark.start), marked: false });
    pieces.push({ text: hit.excerpt.slice(mark.start, mark.end), marked: true });
    at = mark.end;
  }
  if (at < hit.excerpt.length) pieces.push({ text: hit.excerpt.slice(at), marked: false });
  return pieces;
}

/** What agreements.hbs shows of a page of the register: the rows with their hits, the filters as chosen, the next page's link. */
export function registerPageModel(query: RegisterParameters, page: AgreementsPage) {
  const sort = query.sort ?? 'changed';
  const nextParameters = new URLSearchParams(
    Object.entries({ ...query, cursor: page.next ?? '' }).filter(([, value]) => value !== undefined && value !== ''),
  );
  return {
    agreements: page.agreements.map((agreement) => ({
      ...agreement,
      hits: agreement.hits?.map((hit) => ({
        ...hit,
        // The article links to its clause on the agreement's text page, in the language it was found in.
        anchor: hit.clause === '' ? `/agreements/${agreement.id}` : `/agreements/${agreement.id}/text#clause-${hit.clause}`,
        label: hit.heading,
        clauseKey: hit.clause === '' ? null : hit.clause,
        pieces: excerptPieces(hit),
      })),
    })),
    register: {
      q: query.q ?? '',
      registration: query.registration ?? '',
      searched: query.q !== undefined,
      waitingForMe: query.waitingForMe === 'true' || query.waitingForMe === '1',
      states: STATES.map((state) => ({ state, selected: query.state === state })),
      kinds: [...clauseLibrary().kinds.keys()].map((kind) => ({ kind, selected: query.kind === kind })),
      sorts: ['changed', 'signed', 'title'].map((value) => ({ value, selected: sort === value })),
      next: page.next ? `/agreements?${nextParameters}` : null,
      first:
        query.cursor !== undefined
          ? `/agreements?${new URLSearchParams(Object.entries(query).filter(([name]) => name !== 'cursor'))}`
          : null,
    },
  };
}

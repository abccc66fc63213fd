import { buildAgreementDocument } from '../agreements/agreement-document.ts';
import { libraryAgreementSource } from '../demo/library-agreement.ts';
import type { Lang } from '../text/languages.ts';
import { renderAgreementPdf } from './render-pdf.ts';
import { storeTypesettingCache } from './typesetting-cache.ts';

/**
 * `npm run typesetting-cache`: typesets the clause library's agreement of cooperation (both language
 * sets, both originals, draft and final, both layouts) and stores what was remembered for fresh
 * processes (typesetting-cache.ts). Run after install; the server's rendering threads read it.
 */
const LANGUAGE_SETS: readonly (readonly Lang[])[] = [
  ['ru', 'ko'],
  ['ru', 'ko', 'en'],
];
for (const languages of LANGUAGE_SETS) {
  const source = libraryAgreementSource({ languages });
  for (const party of source.parties)
    for (const final of [false, true])
      for (const layout of ['parallel', 'sequential'] as const)
        await renderAgreementPdf({ ...buildAgreementDocument(source, { original: party.key, date: '2018-07-20', final }), layout });
}
console.log(`typesetting remembered in ${storeTypesettingCache()}`);

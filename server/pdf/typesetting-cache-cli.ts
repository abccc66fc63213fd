import { buildAgreementDocument } from '../agreements/agreement-document.ts';
import { libraryAgreementSource } from '../demo/library-agreement.ts';
import type { Lang } from '../text/languages.ts';
import { renderAgreementPdf } from './render-pdf.ts';
import { existsSync } from 'node:fs';
import { storeTypesettingCache, typesettingCacheFile } from './typesetting-cache.ts';

/**
 * `npm run typesetting-cache`: typesets the clause library's agreement of cooperation (both language
 * sets, both originals, draft and final, both layouts) and stores what was remembered for fresh
 * processes (typesetting-cache.ts). Run after install; the server's rendering threads read it.
 * With --if-missing (as `npm start` runs it) it does nothing when the file for these fonts and this
 * code exists, so only the first start after an install or an upgrade spends the seconds.
 */
const LANGUAGE_SETS: readonly (readonly Lang[])[] = [
  ['ru', 'ko'],
  ['ru', 'ko', 'en'],
];
if (process.argv.includes('--if-missing') && existsSync(typesettingCacheFile())) process.exit(0);
for (const languages of LANGUAGE_SETS) {
  const source = libraryAgreementSource({ languages });
  for (const party of source.parties)
    for (const final of [false, true])
      for (const layout of ['parallel', 'sequential'] as const)
        await renderAgreementPdf({ ...buildAgreementDocument(source, { original: party.key, date: '2018-07-20', final }), layout });
}
console.log(`typesetting remembered in ${storeTypesettingCache()}`);

import { diffArrays, diffWords } from 'diff';
import type { User } from '../../db/repositories/users.repository.ts';
import { authorize } from '../auth/policy.ts';
import { LOCALE, type Lang } from '../text/languages.ts';
import { wordDraftOf, wordParagraphs } from '../word/agreement-word.ts';
import { writeDocx, type WordParagraph, type WordRun } from '../word/docx-writer.ts';
import { clauseUnits, unitText } from '../word/draft-units.ts';
import { parseVersion } from './compare-versions.ts';
import type { ClauseTextContext } from './editable-clauses.ts';
import type { UseCaseDeps } from './deps.ts';
import { wordOptions } from './export-docx.ts';
import { loadAgreementSource, loadText, loadVisibleAgreement } from './load-agreement.ts';

/**
 * A redline: the later version's text as a Word file whose differences from the earlier one are Word's
 * own tracked changes (w:ins, w:del), by the author of the later version and dated when it was made,
 * so a reader accepts or rejects them in Word. Paragraphs are matched first, then words within a
 * changed paragraph, in the reading of the original asked for. An article removed since stands where
 * it stood, all of it deleted.
 */
export async function redlineDocx(
  deps: UseCaseDeps,
  user: User,
  agreementId: number,
  query: { original: unknown; layout: unknown; from: string; to: string | undefined },
) {
  const record = await loadVisibleAgreement(deps.db, agreementId, user);
  authorize(user, record, 'original.download');
  const fromVersion = parseVersion(query.from);
  const toVersion = query.to === undefined ? record.version : parseVersion(query.to);
  const [before, after] = await Promise.all([loadText(deps.db, record, fromVersion), loadText(deps.db, record, toVersion)]);
  const { original, layout } = wordOptions(record.parties, query.original ?? user.party, query.layout, after.text.variables.layout);
  const date = record.updatedAt.slice(0, 10);
  const earlier: ClauseTextContext = { source: await loadAgreementSource(deps.db, record, before.text), today: date };
  const later: ClauseTextContext = { source: await loadAgreementSource(deps.db, record, after.text), today: date };

  // The later text's clauses, with each removed one put back after the clause it followed.
  const clauses = [...later.source.clauses];
  earlier.source.clauses.forEach((clause, index) => {
    if (clauses.some((kept) => kept.key === clause.key)) return;
    const previous = earlier.source.clauses[index - 1]?.key;
    clauses.splice(previous === undefined ? 0 : clauses.findIndex((kept) => kept.key === previous) + 1, 0, clause);
  });
  const merged: ClauseTextContext = { source: { ...later.source, clauses }, today: date };
  const has = (at: ClauseTextContext, key: string, lang: Lang) =>
    at.source.clauses.find((clause) => clause.key === key)?.texts[lang] !== undefined;

  const docx = await writeDocx(
    wordDraftOf(merged, { original, date }, layout, {
      header: `REDLINE - version ${fromVersion} to ${toVersion} - ${date}`,
      properties: {},
      revision: { author: after.createdBy, date: new Date(after.createdAt).toISOString().replace(/\.\d{3}Z$/, 'Z') },
      sections: ({ key, index }, lang) => {
        const old = has(earlier, key, lang) ? clauseUnits(earlier, key, lang, original).units.map(unitText) : [];
        const current = has(later, key, lang) ? clauseUnits(later, key, lang, original) : undefined;
        return redlineParagraphs(
          index,
          lang,
          old,
          current ? wordParagraphs({ ...current, index }, (unit) => [{ text: unitText(unit) }]) : [],
        );
      },
    }),
  );
  return { docx, filename: `agreement-${record.id}-${original}-redline-v${fromVersion}-v${toVersion}.docx` };
}

/** The later paragraphs with the earlier ones' differences as tracked changes. */
function redlineParagraphs(clauseIndex: number, lang: Lang, old: readonly string[], current: readonly WordParagraph[]): WordParagraph[] {
  const texts = current.map((paragraph) => paragraph.runs.map((run) => run.text).join(''));
  const result: WordParagraph[] = [];
  let position = 0;
  let removed: string[] = [];
  const deletedParagraph = (text: string): WordParagraph => ({
    marker: `bl_${clauseIndex}_${lang}_del${result.length}`,
    runs: [{ text, change: 'delete' }],
  });
  for (const part of diffArrays([...old], texts)) {
    if (part.removed) {
      removed.push(...part.value);
      continue;
    }
    if (part.added) {
      for (const text of part.value) {
        const paragraph = current[position++]!;
        // A changed paragraph: an earlier one stands in its place, compared word by word.
        const earlier = removed.shift();
        result.push({ ...paragraph, runs: earlier === undefined ? [{ text, change: 'insert' }] : wordChanges(lang, earlier, text) });
      }
      continue;
    }
    result.push(...removed.map(deletedParagraph));
    removed = [];
    for (let count = 0; count < part.value.length; count += 1) result.push(current[position++]!);
  }
  result.push(...removed.map(deletedParagraph));
  return result;
}

function wordChanges(lang: Lang, before: string, after: string): WordRun[] {
  return diffWords(before, after, { intlSegmenter: new Intl.Segmenter(LOCALE[lang], { granularity: 'word' }) }).map((part) => ({
    text: part.value,
    ...(part.added ? { change: 'insert' as const } : part.removed ? { change: 'delete' as const } : {}),
  }));
}

import type { User } from '../../db/repositories/users.repository.ts';
import type { Lang } from '../text/languages.ts';
import { trackedHistory, type TrackedParagraph } from '../text/tracked-history.ts';
import { plainRuns, wordDraftOf, wordParagraphs } from '../word/agreement-word.ts';
import { writeDocx, type WordParagraph, type WordRun } from '../word/docx-writer.ts';
import { clauseUnits, unitText } from '../word/draft-units.ts';
import type { UseCaseDeps } from './deps.ts';
import { wordOptions } from './export-docx.ts';
import { hasClause, loadRedlineVersions, perVersionText, type Revision } from './redline-versions.ts';

/**
 * A redline: the later version's text as a Word file whose differences from the earlier one are Word's
 * own tracked changes (w:ins, w:del), each by the author of the version that made it and dated when
 * that version was made (every version between the two is followed, tracked-history.ts), so a reader
 * accepts or rejects them in Word, one colleague's at a time if they like. Paragraphs and words are
 * compared in the reading of the original asked for. An article removed since stands where it stood,
 * all of it deleted.
 */
export async function redlineDocx(
  deps: UseCaseDeps,
  user: User,
  agreementId: number,
  query: { original: unknown; layout: unknown; from: string; to: string | undefined },
) {
  const versions = await loadRedlineVersions(deps, user, agreementId, query);
  const { record, fromVersion, toVersion, date, later, merged, steps, revisions } = versions;
  const { original, layout } = wordOptions(record.parties, query.original ?? user.party, query.layout, later.source.variables.layout);
  const texts = perVersionText((at, key, lang) =>
    hasClause(at, key, lang) ? clauseUnits(at, key, lang, original).units.map(unitText) : [],
  );

  const docx = await writeDocx(
    wordDraftOf(merged, { original, date }, layout, {
      header: `REDLINE - version ${fromVersion} to ${toVersion} - ${date}`,
      properties: {},
      sections: ({ key, index }, lang) => {
        const current = hasClause(later, key, lang) ? clauseUnits(later, key, lang, original) : undefined;
        const paragraphs = current ? wordParagraphs({ ...current, index }, plainRuns) : [];
        const tracked = trackedHistory(
          steps.map((at) => texts(at, key, lang)),
          lang,
        );
        return redlineParagraphs(index, lang, tracked, paragraphs, revisions);
      },
    }),
  );
  return { docx, filename: `agreement-${record.id}-${original}-redline-v${fromVersion}-v${toVersion}.docx` };
}

/** The later paragraphs (bookmarks, list numbering) with their tracked runs, and the deleted ones where they stood. */
function redlineParagraphs(
  clauseIndex: number,
  lang: Lang,
  tracked: readonly TrackedParagraph[],
  current: readonly WordParagraph[],
  revisions: readonly Revision[],
): WordParagraph[] {
  let deleted = 0;
  return tracked.map((paragraph) => {
    const runs = paragraph.runs.map(
      (run): WordRun =>
        run.change ? { text: run.text, change: run.change.kind, by: revisions[run.change.revision - 1]! } : { text: run.text },
    );
    if (paragraph.unit === null) return { marker: `bl_${clauseIndex}_${lang}_del${deleted++}`, runs };
    return { ...current[paragraph.unit]!, runs };
  });
}

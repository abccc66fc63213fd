import type { User } from '../../db/repositories/users.repository.ts';
import { MalformedRequestError } from '../errors.ts';
import type { AgreementDocument, ChangeMark, MarkedBlock, PerLanguage } from '../pdf/document-model.ts';
import { renderAgreementPdfIsolated } from '../pdf/isolated-rendering.ts';
import { renderClauseTemplate } from '../text/clause-templates.ts';
import { UNNUMBERED_CLAUSES } from '../text/clause-library.ts';
import { formatDate, type Lang } from '../text/languages.ts';
import { parseBlocks, parseInline, type Block } from '../text/markup.ts';
import { trackedHistory, type TrackedParagraph } from '../text/tracked-history.ts';
import { buildAgreementDocument, clauseContextFor } from './agreement-document.ts';
import type { UseCaseDeps } from './deps.ts';
import type { ClauseTextContext } from './editable-clauses.ts';
import { hasClause, loadRedlineVersions, perVersionText, type Revision } from './redline-versions.ts';

/**
 * The redline as a PDF, for readers who do not use Word: the later version set by the project's own
 * typesetter in the original asked for (each language in its column), the text the earlier version
 * held and the later lost struck through, the text added underlined, each change in the colour of the
 * version that made it, and a key after the title naming each version's author and date. The same
 * comparison as the DOCX redline (tracked-history.ts), of the text as printed.
 */
export async function redlinePdf(
  deps: UseCaseDeps,
  user: User,
  agreementId: number,
  query: { original: unknown; from: string; to: string | undefined },
): Promise<{ pdf: Buffer; filename: string }> {
  const versions = await loadRedlineVersions(deps, user, agreementId, query);
  const { record, fromVersion, toVersion, date, merged, steps, revisions } = versions;
  const original = query.original ?? user.party;
  if (typeof original !== 'string' || !record.parties.includes(original)) {
    throw new MalformedRequestError(`original must be one of the parties: ${record.parties.join(', ')}`);
  }
  const contexts = new Map<string, object>();
  const printed = perVersionText((at: ClauseTextContext, key: string, lang: Lang): Printed => {
    if (!hasClause(at, key, lang)) return { units: [], structure: [] };
    const contextKey = `${lang}|${JSON.stringify(at.source.variables)}`;
    let context = contexts.get(contextKey);
    if (context === undefined) contexts.set(contextKey, (context = clauseContextFor(at.source, original, lang, date)));
    const markup = renderClauseTemplate(at.source.clauses.find((clause) => clause.key === key)!.texts[lang] ?? '', context, key, lang);
    if (key === 'title') return { units: [parseInline(markup, { clause: key, lang })], structure: [] };
    return flatten(parseBlocks(markup, { clause: key, lang }));
  });

  const base = buildAgreementDocument(merged.source, { original, date, final: false });
  // Marks name the legend's revisions (steps 1.. are revisions 0..); the legend lists those with a mark.
  const used = new Set<number>();
  const compact = (marks: ChangeMark[]) =>
    marks.map((mark) => {
      used.add(mark.revision - 1);
      return { ...mark, revision: mark.revision - 1 };
    });
  const tracked = (key: string, lang: Lang) => {
    const latest = printed(versions.later, key, lang);
    const earliest = printed(versions.earlier, key, lang);
    const paragraphs = trackedHistory(
      steps.map((at) => printed(at, key, lang).units),
      lang,
    );
    return { latest, earliest, paragraphs };
  };
  const blocksOf = (key: string): PerLanguage<readonly MarkedBlock[]> =>
    Object.fromEntries(
      base.languages.map((lang) => {
        const { latest, earliest, paragraphs } = tracked(key, lang);
        return [lang, markedBlocks(paragraphs, latest.structure, earliest.structure, compact)];
      }),
    );
  const titleMarks: PerLanguage<readonly ChangeMark[]> = {};
  const title: PerLanguage<string> = {};
  for (const lang of base.languages) {
    const { paragraphs } = tracked('title', lang);
    const marked = markedText(
      paragraphs.flatMap((paragraph, index) => (index === 0 ? paragraph.runs : [{ text: ' ' }, ...paragraph.runs])),
    );
    title[lang] = marked.text;
    titleMarks[lang] = compact(marked.marks);
  }
  const articleKeys = merged.source.clauses.filter((clause) => !UNNUMBERED_CLAUSES.has(clause.key)).map((clause) => clause.key);
  const articles = base.articles.map((article, index) => {
    const key = articleKeys[index]!;
    const whole = wholeChange(steps, key);
    return {
      ...article,
      body: blocksOf(key),
      ...(whole && {
        headingMarks: Object.fromEntries(
          base.languages.map((lang) => [
            lang,
            compact([{ start: 0, end: (article.heading[lang] ?? '').length, kind: whole.kind, revision: whole.revision }]),
          ]),
        ),
      }),
    };
  });
  const preamble = blocksOf('preamble');
  const finalClause = blocksOf('final-clause');
  const shown = [...used].sort((a, b) => a - b);
  const document: AgreementDocument = {
    ...base,
    title,
    titleMarks,
    preamble,
    articles,
    finalClause,
    draft: { version: toVersion, date },
    changes: legend(base.languages, fromVersion, toVersion, revisions, shown),
    metadata: {
      ...base.metadata,
      title: `Redline v${fromVersion}–v${toVersion}: ${base.metadata.title}`,
      keywords: `bilateral agreement ${record.id} redline v${fromVersion}-v${toVersion} original:${original}`,
    },
  };
  const { pdf } = await renderAgreementPdfIsolated(document);
  return { pdf, filename: `agreement-${record.id}-${original}-redline-v${fromVersion}-v${toVersion}.pdf` };
}

interface Printed {
  /** The clause's paragraphs and list items, in order. */
  readonly units: readonly string[];
  /** Which block each unit is of: a paragraph, or an item of an (ordered) list. */
  readonly structure: readonly { readonly block: number; readonly list?: { readonly ordered: boolean } }[];
}

function flatten(blocks: readonly Block[]): Printed {
  const units: string[] = [];
  const structure: Printed['structure'][number][] = [];
  blocks.forEach((block, index) => {
    if (block.type === 'paragraph') {
      units.push(block.text);
      structure.push({ block: index });
    } else {
      for (const item of block.items) {
        units.push(item);
        structure.push({ block: index, list: { ordered: block.ordered } });
      }
    }
  });
  return { units, structure };
}

/**
 * The tracked paragraphs as blocks again, in the later version's shape: its paragraphs and list
 * items, a paragraph deleted whole standing where it stood, in the shape it had (a list item in its
 * list, or in the list it falls in).
 */
function markedBlocks(
  paragraphs: readonly TrackedParagraph[],
  structure: Printed['structure'],
  earlier: Printed['structure'],
  compact: (marks: ChangeMark[]) => ChangeMark[],
): MarkedBlock[] {
  const blocks: MarkedBlock[] = [];
  let list: { block: number; ordered: boolean; items: string[]; itemMarks: ChangeMark[][] } | null = null;
  const closeList = () => {
    if (list) blocks.push({ type: 'list', ordered: list.ordered, items: list.items, itemMarks: list.itemMarks });
    list = null;
  };
  for (const paragraph of paragraphs) {
    const { text, marks } = markedText(paragraph.runs);
    if (text === '') continue;
    // A lost paragraph's list is the earlier text's (its block numbers apart from the later text's).
    const place =
      paragraph.unit !== null
        ? structure[paragraph.unit]
        : paragraph.was !== undefined && earlier[paragraph.was]?.list
          ? { block: -1 - earlier[paragraph.was]!.block, list: earlier[paragraph.was]!.list }
          : undefined;
    if (place?.list || (paragraph.unit === null && list)) {
      // A lost paragraph joins the list open where it stood.
      if (place?.list && (!list || (paragraph.unit !== null && list.block !== place.block))) {
        closeList();
        list = { block: place.block, ordered: place.list.ordered, items: [], itemMarks: [] };
      }
      list!.items.push(text);
      list!.itemMarks.push(compact(marks));
      continue;
    }
    closeList();
    blocks.push({ type: 'paragraph', text, marks: compact(marks) });
  }
  closeList();
  return blocks;
}

/**
 * A paragraph's runs as one text with its marks, spaced as the typesetter reads text (one space
 * between words, none at either end), with a space put between a deletion and an insertion that meet
 * inside a word, so "представляющихимеющих" reads as the two words it is.
 */
function markedText(runs: TrackedParagraph['runs']): { text: string; marks: ChangeMark[] } {
  let text = '';
  const marks: ChangeMark[] = [];
  let previous: TrackedParagraph['runs'][number] | undefined;
  for (const run of runs) {
    if (previous?.change && run.change && previous.change.kind !== run.change.kind && !/\s$/u.test(text) && !/^\s/u.test(run.text))
      text += ' ';
    let start = -1;
    for (const ch of run.text) {
      const space = /[ \t\n\r\f]/u.test(ch);
      if (space && (text === '' || text.endsWith(' '))) continue;
      if (start === -1) start = text.length;
      text += space ? ' ' : ch;
    }
    if (run.change && start !== -1) marks.push({ start, end: text.length, kind: run.change.kind, revision: run.change.revision });
    previous = run;
  }
  const trimmed = text.replace(/ $/, '');
  return {
    text: trimmed,
    marks: marks.map((mark) => ({ ...mark, end: Math.min(mark.end, trimmed.length) })).filter((mark) => mark.end > mark.start),
  };
}

/** An article the later version holds and the earlier did not (or the reverse), and the version that added (removed) it for good. */
function wholeChange(steps: readonly ClauseTextContext[], key: string): { kind: 'insert' | 'delete'; revision: number } | undefined {
  const present = steps.map((at) => at.source.clauses.some((clause) => clause.key === key));
  if (present[0] === present.at(-1)) return undefined;
  let revision = steps.length - 1;
  while (revision > 1 && present[revision - 1] === present.at(-1)) revision -= 1;
  return { kind: present.at(-1) ? 'insert' : 'delete', revision };
}

const LEGEND = {
  heading: {
    ru: (from: number, to: number) => `Изменения с версии ${from} по версию ${to}`,
    ko: (from: number, to: number) => `버전 ${from}부터 버전 ${to}까지의 변경 사항`,
    en: (from: number, to: number) => `Changes from version ${from} to version ${to}`,
  },
  line: {
    ru: (version: number, author: string, date: string) => `Версия ${version}, ${author}, ${date}:`,
    ko: (version: number, author: string, date: string) => `버전 ${version}, ${author}, ${date}:`,
    en: (version: number, author: string, date: string) => `Version ${version}, ${author}, ${date}:`,
  },
  accepted: {
    ru: (author: string, by: string) => `${author} (предложение принял ${by})`,
    ko: (author: string, by: string) => `${author}(제안 수락: ${by})`,
    en: (author: string, by: string) => `${author} (suggested; accepted by ${by})`,
  },
  inserted: { ru: 'вставлено', ko: '삽입', en: 'inserted' },
  deleted: { ru: 'удалено', ko: '삭제', en: 'deleted' },
  none: { ru: 'Текст не изменился.', ko: '본문은 변경되지 않았다.', en: 'The text has not changed.' },
} as const;

/** The key to the marks: one line per version whose changes are shown, its sample words in its colour. */
function legend(
  languages: readonly Lang[],
  from: number,
  to: number,
  revisions: readonly Revision[],
  shown: readonly number[],
): AgreementDocument['changes'] {
  const lines = (lang: Lang): MarkedBlock[] => {
    if (shown.length === 0) return [{ type: 'paragraph', text: LEGEND.none[lang] }];
    return shown.map((index) => {
      const revision = revisions[index]!;
      const at = `${formatDate(lang, revision.date.slice(0, 10))} ${revision.date.slice(11, 16)} UTC`;
      const author = revision.acceptedBy ? LEGEND.accepted[lang](revision.author, revision.acceptedBy) : revision.author;
      const head = LEGEND.line[lang](revision.version, author, at);
      const inserted = LEGEND.inserted[lang];
      const deleted = LEGEND.deleted[lang];
      const text = `${head} ${inserted}, ${deleted}`;
      const insertAt = head.length + 1;
      const deleteAt = insertAt + inserted.length + 2;
      return {
        type: 'paragraph',
        text,
        ragged: true,
        marks: [
          { start: insertAt, end: insertAt + inserted.length, kind: 'insert', revision: index },
          { start: deleteAt, end: deleteAt + deleted.length, kind: 'delete', revision: index },
        ],
      };
    });
  };
  return {
    revisions,
    heading: Object.fromEntries(languages.map((lang) => [lang, LEGEND.heading[lang](from, to)])),
    lines: Object.fromEntries(languages.map((lang) => [lang, lines(lang)])),
  };
}

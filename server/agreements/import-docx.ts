import { insertComment } from '../../db/repositories/comments.repository.ts';
import { listSuggestions } from '../../db/repositories/suggestions.repository.ts';
import type { User } from '../../db/repositories/users.repository.ts';
import { authorize } from '../auth/policy.ts';
import { DomainError, RuleViolationError } from '../errors.ts';
import type { EditableBlock, EditableDoc, Inline, ListEntry } from '../text/editable-text.ts';
import { serializeEditable } from '../text/editable-text.ts';
import type { Lang } from '../text/languages.ts';
import { clauseRole, versionUnits, wordDraftOf, type WordOriginal } from '../word/agreement-word.ts';
import { writeDocx } from '../word/docx-writer.ts';
import { readDocx, type ReadParagraph } from '../word/docx-reader.ts';
import { readDocxIsolated } from '../word/isolated-docx-reading.ts';
import { parseMarker, PROPERTY, unitText, type ClauseUnits } from '../word/draft-units.ts';
import { applyEdits, editsBetween, editsOfSegments, segmentTexts, type FieldEdit } from '../word/text-edits.ts';
import type { UseCaseDeps } from './deps.ts';
import { editableTextOf, loadClauseTextContext, type ClauseTextContext } from './editable-clauses.ts';
import { loadAgreementSource, loadText, loadVisibleAgreement } from './load-agreement.ts';
import { prepareSuggestion, requireStillAt, storeSuggestion, type PreparedSuggestion } from './suggest-change.ts';
import { suggestionView } from './suggestions.ts';
import { staleVersion } from './version-conflict.ts';

/** A place in the file the import could not take, and why. */
export interface ImportProblem {
  readonly place: string;
  readonly problem: string;
  readonly clause?: string;
  readonly lang?: string;
}

/**
 * A Word file exported by Bilateral comes back edited: every change, tracked (Track Changes) or not
 * (found by comparing with the version the file was exported from), becomes a suggestion by the
 * uploader on its clause and language, through the same rules as the desk's suggestions
 * (suggest-change.ts); Word comments become comments on their clause and language; a field's value
 * edited as plain text is reported and left a field. Anything the import cannot place (a new article,
 * a deleted one, text outside any article, a file of another agreement or of a version it never had)
 * refuses the whole file with 422 naming each place: nothing is imported.
 */
export async function importDocx(deps: UseCaseDeps, user: User, agreementId: number, expectedVersion: number, bytes: Buffer) {
  const record = await loadVisibleAgreement(deps.db, agreementId, user);
  authorize(user, record, 'text.suggest');
  if (expectedVersion !== record.version) throw staleVersion(record.version, expectedVersion);
  const file = await readDocxIsolated(bytes);

  const fromAgreement = file.properties.get(PROPERTY.agreement);
  if (fromAgreement === undefined) {
    throw new RuleViolationError('The file was not exported by Bilateral (it names no agreement): download the draft as DOCX first');
  }
  if (fromAgreement !== String(record.id)) {
    throw new RuleViolationError(`The file was exported from agreement ${fromAgreement}, not ${record.id}`, { agreement: fromAgreement });
  }
  const version = Number(file.properties.get(PROPERTY.version));
  const original = file.properties.get(PROPERTY.original) ?? '';
  const date = file.properties.get(PROPERTY.date) ?? '';
  if (!Number.isInteger(version) || version < 1 || version > record.version) {
    throw new RuleViolationError(
      `The file names version ${file.properties.get(PROPERTY.version)}, which agreement ${record.id} never had`,
      {
        version: file.properties.get(PROPERTY.version),
      },
    );
  }
  if (!record.parties.includes(original) || !/^\d{4}-\d{2}-\d{2}$/.test(date)) {
    throw new RuleViolationError('The file does not say which original and date it was exported as');
  }

  const exported: ClauseTextContext = {
    source: await loadAgreementSource(deps.db, record, (await loadText(deps.db, record, version)).text),
    today: date,
  };
  const units = versionUnits(exported, { original, date });
  const layout = file.properties.get(PROPERTY.layout) === 'sequential' ? 'sequential' : 'parallel';
  const fixed = await fixedTexts(exported, { original, date }, layout);
  await requireLayoutOf(
    file.paragraphs,
    fixed,
    original,
    (other) => fixedTexts(exported, { original: other, date }, layout),
    record.parties,
  );
  const read = readAgainst(units, file.paragraphs, exported, fixed);
  const problems = [...read.problems];

  const at = await loadClauseTextContext(deps, record);
  const changed: { clause: string; lang: Lang; text: string }[] = [];
  for (const clause of units) {
    const text = read.texts.get(regionKey(clause.index, clause.lang));
    if (text === undefined || text === editableTextOf(exported, clause.key, clause.lang)) continue;
    const stillExists = at.source.clauses.some((current) => current.key === clause.key);
    if (!stillExists || editableTextOf(at, clause.key, clause.lang) !== editableTextOf(exported, clause.key, clause.lang)) {
      problems.push({
        place: placeOf(clause),
        clause: clause.key,
        lang: clause.lang,
        problem: `changed since version ${version}, which the file was exported from: download the current draft and make the change there`,
      });
      continue;
    }
    changed.push({ clause: clause.key, lang: clause.lang, text });
  }

  const comments: { clause: string; lang: Lang; body: string; author: string }[] = [];
  for (const [id, comment] of file.comments) {
    const anchor = read.commentAnchors.get(id);
    if (!anchor) {
      problems.push({ place: `comment by ${comment.author || 'someone'}`, problem: 'it is not anchored in any article' });
      continue;
    }
    if (comment.text !== '') comments.push({ ...anchor, body: comment.text, author: comment.author });
  }

  const prepared: PreparedSuggestion[] = [];
  for (const change of changed) {
    try {
      prepared.push(await prepareSuggestion(deps, record, at, { ...change, expectedVersion }));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      problems.push({
        place: placeOf({ key: change.clause, lang: change.lang }),
        clause: change.clause,
        lang: change.lang,
        problem: error.detail,
      });
    }
  }
  if (problems.length > 0) {
    throw new RuleViolationError(`Nothing was imported: ${problems.map((problem) => `${problem.place}: ${problem.problem}`).join('; ')}`, {
      problems,
    });
  }
  if (prepared.length === 0 && comments.length === 0) {
    throw new RuleViolationError(`The file changes nothing in version ${version} and holds no comments`, { fields: read.fieldEdits });
  }

  const now = deps.now().toISOString();
  const ids = await deps.db.transaction(async (trx) => {
    await requireStillAt(trx, agreementId, expectedVersion);
    const suggestions: number[] = [];
    for (const suggestion of prepared) suggestions.push(await storeSuggestion(trx, deps, user, agreementId, suggestion));
    for (const comment of comments) {
      await insertComment(trx, agreementId, {
        clause: comment.clause,
        lang: comment.lang,
        replyTo: null,
        suggestion: null,
        authorId: user.id,
        party: user.party,
        internal: false,
        body: comment.body,
        at: now,
      });
    }
    return suggestions;
  });
  const stored = await listSuggestions(deps.db, agreementId);
  return {
    fromVersion: version,
    original,
    suggestions: ids.map((id) => suggestionView(at, stored.find((suggestion) => suggestion.id === id)!)),
    comments: comments.map(({ clause, lang, body }) => ({ clause, lang, body })),
    fields: read.fieldEdits,
  };
}

const regionKey = (clauseIndex: number, lang: string) => `${clauseIndex}:${lang}`;

function placeOf(clause: { key: string; lang: string }): string {
  return `clause "${clause.key}" (${clause.lang})`;
}

interface RegionParagraphs {
  /** The paragraph read for each exported unit (undefined: it is gone). */
  readonly units: (ReadParagraph | undefined)[];
  /** Paragraphs without a bookmark, after the unit they follow (-1: before the first). */
  readonly added: Map<number, ReadParagraph[]>;
}

/**
 * The file's paragraphs read against the exported ones: each bookmarked paragraph is its unit; one
 * without a bookmark belongs to the clause and language of the paragraph before it in the same cell
 * (a paragraph the lawyer added), unless it is an article heading (a new article) or stands outside
 * any clause.
 */
/**
 * The paragraphs the file must hold as exported (column headings, signature blocks), by bookmark: the
 * exported file written again and read back, so their order is the writer's alone.
 */
async function fixedTexts(
  exported: ClauseTextContext,
  word: WordOriginal,
  layout: 'parallel' | 'sequential',
): Promise<Map<string, string>> {
  const again = await readDocx(await writeDocx(wordDraftOf(exported, word, layout, { header: '', properties: {} })));
  const texts = new Map<string, string>();
  for (const paragraph of again.paragraphs) {
    const marker = paragraph.markers.find((name) => parseMarker(name)?.kind === 'fixed');
    if (marker) texts.set(marker, segmentTexts(paragraph.segments).after);
  }
  return texts;
}

/**
 * Either party's lawyer may upload either party's original: the file says which one it is, and it is
 * read in that original (its language order, its party named first). A file whose column headings and
 * signature blocks stand in another party's order than the original its properties name has been
 * relabelled or pieced together from two files: its fields cannot be read safely, so it is refused
 * whole, naming both.
 */
async function requireLayoutOf(
  paragraphs: readonly ReadParagraph[],
  fixed: ReadonlyMap<string, string>,
  original: string,
  fixedOf: (original: string) => Promise<Map<string, string>>,
  parties: readonly string[],
): Promise<void> {
  const matches = (texts: ReadonlyMap<string, string>) =>
    paragraphs.every((paragraph) => {
      const marker = paragraph.markers.find((name) => parseMarker(name)?.kind === 'fixed');
      return marker === undefined || texts.get(marker) === segmentTexts(paragraph.segments).after;
    });
  if (matches(fixed)) return;
  for (const other of parties) {
    if (other === original || !matches(await fixedOf(other))) continue;
    throw new RuleViolationError(
      `The file is laid out as ${other}'s original (its columns and signature blocks stand in that order), but its properties name ${original}'s: download the draft again and upload that file`,
      { original, layout: other },
    );
  }
}

function readAgainst(
  units: readonly ClauseUnits[],
  paragraphs: readonly ReadParagraph[],
  exported: ClauseTextContext,
  fixed: ReadonlyMap<string, string>,
) {
  const problems: ImportProblem[] = [];
  const regions = new Map<string, RegionParagraphs>();
  const byKey = new Map(units.map((clause) => [regionKey(clause.index, clause.lang), clause]));
  const commentAnchors = new Map<string, { clause: string; lang: Lang }>();
  let region: { key: string; unit: number } | null = null;
  let cell = -2;
  for (const [position, paragraph] of paragraphs.entries()) {
    if (paragraph.cell !== cell) {
      cell = paragraph.cell;
      region = null;
    }
    const marker = paragraph.markers.map(parseMarker).find((parsed) => parsed !== undefined);
    const { after } = segmentTexts(paragraph.segments);
    if (marker?.kind === 'fixed') {
      region = null;
      const name = paragraph.markers.find((candidate) => parseMarker(candidate)?.kind === 'fixed')!;
      if (fixed.get(name) !== after) {
        problems.push({
          place: `paragraph ${position + 1} ("${after.slice(0, 40)}")`,
          problem: 'the signature blocks and headings are not edited here',
        });
      }
      continue;
    }
    if (
      marker &&
      (!byKey.has(regionKey(marker.clauseIndex, marker.lang)) ||
        (marker.kind === 'unit' && marker.unit >= byKey.get(regionKey(marker.clauseIndex, marker.lang))!.units.length))
    ) {
      problems.push({ place: `paragraph ${position + 1}`, problem: 'its bookmark names no paragraph of the exported version' });
      continue;
    }
    if (marker) {
      const key = regionKey(marker.clauseIndex, marker.lang);
      const clause = byKey.get(key)!;
      if (!regions.has(key)) regions.set(key, { units: clause.units.map(() => undefined), added: new Map() });
      if (marker.kind === 'heading') {
        region = { key, unit: -1 };
        if (after.trim() !== '')
          problems.push({
            place: `the heading of ${placeOf(clause)}`,
            clause: clause.key,
            lang: clause.lang,
            problem: 'a heading is numbered by Word and holds no text',
          });
      } else {
        region = { key, unit: marker.unit };
        regions.get(key)!.units[marker.unit] = paragraph;
      }
    } else if (after.trim() === '' && paragraph.comments.length === 0) {
      continue;
    } else if (paragraph.heading) {
      problems.push({
        place: `paragraph ${position + 1} ("${after.slice(0, 40)}")`,
        problem: 'a new article: add articles on the drafting desk, then export again',
      });
      continue;
    } else if (!region) {
      problems.push({ place: `paragraph ${position + 1} ("${after.slice(0, 40)}")`, problem: 'text outside any article' });
      continue;
    } else {
      const added = regions.get(region.key)!.added;
      added.set(region.unit, [...(added.get(region.unit) ?? []), paragraph]);
    }
    const clause = byKey.get(region.key)!;
    for (const id of paragraph.comments) commentAnchors.set(id, { clause: clause.key, lang: clause.lang });
  }

  const texts = new Map<string, string>();
  const fieldEdits: (FieldEdit & { clause: string; lang: string })[] = [];
  for (const [key, read] of regions) {
    const clause = byKey.get(key)!;
    const rebuilt = rebuild(clause, read, (edit) => fieldEdits.push({ ...edit, clause: clause.key, lang: clause.lang }));
    const isEmpty = rebuilt.inline ? rebuilt.content.length === 0 : rebuilt.blocks.length === 0;
    // A language not written yet (a new clause awaiting its translation) may stay empty.
    if (isEmpty && clause.units.length === 0) continue;
    if (isEmpty) {
      const role = clauseRole(clause.key);
      problems.push({
        place: placeOf(clause),
        clause: clause.key,
        lang: clause.lang,
        problem: role === 'article' ? 'the article was deleted: remove articles on the drafting desk' : 'its text was deleted',
      });
      continue;
    }
    texts.set(key, serializeEditable(rebuilt));
  }
  // A clause the export wrote but the file lost altogether: a deleted table row or section.
  for (const clause of units) {
    if (!regions.has(regionKey(clause.index, clause.lang)) && editableTextOf(exported, clause.key, clause.lang) !== '') {
      problems.push({
        place: placeOf(clause),
        clause: clause.key,
        lang: clause.lang,
        problem: 'it is missing from the file (a deleted row or article)',
      });
    }
  }
  return { texts, problems, fieldEdits, commentAnchors };
}

/** The clause's editable document again, with the file's edits, deletions and added paragraphs. */
function rebuild(clause: ClauseUnits, read: RegionParagraphs, report: (edit: FieldEdit) => void): EditableDoc {
  const plain = (paragraph: ReadParagraph): Inline[] => {
    const text = segmentTexts(paragraph.segments).after.trim();
    return text === '' ? [] : [{ type: 'text', text }];
  };
  const addedAfter = (unit: number) => (read.added.get(unit) ?? []).map(plain).filter((content) => content.length > 0);
  const edited = (position: number): Inline[] | undefined => {
    const unit = clause.units[position]!;
    const paragraph = read.units[position];
    if (!paragraph || unit.kind === 'listValue') return undefined;
    const { before, after } = segmentTexts(paragraph.segments);
    const exportedText = unitText(unit);
    const edits = before === exportedText ? editsOfSegments(paragraph.segments) : editsBetween(exportedText, after);
    const { content, fieldEdits } = applyEdits(unit.pieces, edits, after);
    fieldEdits.forEach(report);
    return content;
  };

  if (clause.doc.inline) {
    const content = [...(edited(0) ?? []), ...addedAfter(-1).flat(), ...addedAfter(0).flat()];
    return { inline: true, content };
  }
  const blocks: EditableBlock[] = addedAfter(-1).map((content) => ({ type: 'paragraph', content }));
  clause.doc.blocks.forEach((block, blockIndex) => {
    const positions = clause.units.flatMap((unit, position) => (unit.block === blockIndex ? [position] : []));
    if (block.type === 'paragraph') {
      const position = positions[0]!;
      const content = edited(position);
      if (content && content.length > 0) blocks.push({ type: 'paragraph', content });
      for (const added of addedAfter(position)) blocks.push({ type: 'paragraph', content: added });
      return;
    }
    const entries: ListEntry[] = [];
    block.entries.forEach((entry, entryIndex) => {
      const own = positions.filter((position) => {
        const unit = clause.units[position]!;
        return unit.kind !== 'paragraph' && unit.entry === entryIndex;
      });
      if (entry.type === 'listField') {
        // The list's values are the agreement's data: an edit of one is reported, the field stays.
        for (const position of own) {
          const unit = clause.units[position]!;
          const paragraph = read.units[position];
          const found = paragraph ? segmentTexts(paragraph.segments).after : '';
          if (unit.kind === 'listValue' && found !== unit.text) {
            report({ field: { type: 'field', ref: unit.ref }, value: unit.text, found });
          }
        }
        entries.push(entry);
      } else {
        const content = edited(own[0]!);
        if (content && content.length > 0) entries.push({ type: 'item', content });
      }
      for (const position of own) for (const added of addedAfter(position)) entries.push({ type: 'item', content: added });
    });
    if (entries.length > 0) blocks.push({ type: 'list', ordered: block.ordered, entries });
  });
  return { inline: false, blocks };
}

import type { Queryable } from '../connection.ts';
import type { AgreementText, StoredAgreementText } from '../stored-shapes.ts';
import {
  findClauseTexts,
  joinClauseTexts,
  manifestHashes,
  splitClauseTexts,
  storeClauseTexts,
  type TextManifest,
} from './clause-texts.repository.ts';

/** What a text change was, for the versions list and the audit. */
export interface TextChange {
  readonly op: 'create' | 'edit' | 'confirm' | 'add-clause' | 'remove-clause' | 'reorder' | 'variables';
  readonly clause?: string;
  readonly lang?: string;
  /** The suggestion an edit accepted. */
  readonly suggestion?: number;
}

/** A version of the text as the current server writes it, and as use-cases see it once its variables are parsed. */
export interface TextVersion {
  readonly version: number;
  readonly text: AgreementText;
  readonly contentHash: string;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly change: TextChange;
}

/**
 * A version as stored: its variables as they were written, without the defaults added since.
 * server/agreements/load-agreement.ts parses them; nothing else should read it.
 */
export type StoredTextVersion = Omit<TextVersion, 'text'> & { readonly text: StoredAgreementText };

/** A version as the versions list shows it: who changed what, when; never the text. */
export type TextVersionSummary = Omit<TextVersion, 'text'>;

interface TextVersionRow {
  version: number;
  content_hash: string;
  email: string;
  created_at: string;
  change: string;
}

const toSummary = (row: TextVersionRow): TextVersionSummary => ({
  version: row.version,
  contentHash: row.content_hash,
  createdBy: row.email,
  createdAt: row.created_at,
  change: JSON.parse(row.change),
});

// The metadata columns only: the manifest is read for the one version being rebuilt.
const selectSummaries = (db: Queryable, agreementId: number) =>
  db('text_versions')
    .join('users', 'users.id', 'text_versions.created_by')
    .where('text_versions.agreement_id', agreementId)
    .select('text_versions.version', 'text_versions.content_hash', 'users.email', 'text_versions.created_at', 'text_versions.change');

/**
 * Appends a version of the text; rows are never updated. The row holds the text's manifest; the
 * clause texts it names are stored once in clause_texts. Call inside the change's transaction.
 */
export async function insertTextVersion(
  db: Queryable,
  agreementId: number,
  entry: { version: number; text: AgreementText; contentHash: string; userId: number; at: string; change: TextChange },
): Promise<void> {
  const { manifest, texts } = splitClauseTexts(entry.text);
  await storeClauseTexts(db, texts);
  await db('text_versions').insert({
    agreement_id: agreementId,
    version: entry.version,
    manifest: JSON.stringify(manifest),
    content_hash: entry.contentHash,
    created_by: entry.userId,
    created_at: entry.at,
    change: JSON.stringify(entry.change),
  });
}

/** The text as it stood at an agreement version (the latest text written at or before it); the current text without one. */
export async function findTextAt(db: Queryable, agreementId: number, version?: number): Promise<StoredTextVersion | undefined> {
  const query = selectSummaries(db, agreementId).select('text_versions.manifest').orderBy('text_versions.version', 'desc').first();
  if (version !== undefined) query.andWhere('text_versions.version', '<=', version);
  const row: (TextVersionRow & { manifest: string }) | undefined = await query;
  if (!row) return undefined;
  const manifest: TextManifest = JSON.parse(row.manifest);
  const text = joinClauseTexts(manifest, await findClauseTexts(db, manifestHashes(manifest))) as unknown as StoredAgreementText;
  return { ...toSummary(row), text };
}

/** Up to `limit` versions of the text, newest first, older than `before` when given; without the texts themselves. */
export async function listTextVersions(
  db: Queryable,
  agreementId: number,
  page: { limit: number; before?: number | undefined },
): Promise<TextVersionSummary[]> {
  const query = selectSummaries(db, agreementId).orderBy('text_versions.version', 'desc').limit(page.limit);
  if (page.before !== undefined) query.andWhere('text_versions.version', '<', page.before);
  const rows: TextVersionRow[] = await query;
  return rows.map(toSummary);
}

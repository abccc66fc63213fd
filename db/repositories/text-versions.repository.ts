import type { Queryable } from '../connection.ts';
import type { AgreementText } from '../../server/agreements/agreement-text.ts';
import { agreementVariablesSchema } from '../../server/agreements/agreement-variables.ts';

/** What a text change was, for the versions list and the audit. */
export interface TextChange {
  readonly op: 'create' | 'edit' | 'confirm' | 'add-clause' | 'remove-clause' | 'reorder' | 'variables';
  readonly clause?: string;
  readonly lang?: string;
}

export interface TextVersion {
  readonly version: number;
  readonly text: AgreementText;
  readonly contentHash: string;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly change: TextChange;
}

interface TextVersionRow {
  version: number;
  document: string;
  content_hash: string;
  email: string;
  created_at: string;
  change: string;
}

const toVersion = (row: TextVersionRow): TextVersion => {
  const document = JSON.parse(row.document);
  return {
    version: row.version,
    // Parsing the variables fills defaults added since the version was written.
    text: { ...document, variables: agreementVariablesSchema.parse(document.variables) },
    contentHash: row.content_hash,
    createdBy: row.email,
    createdAt: row.created_at,
    change: JSON.parse(row.change),
  };
};

const selectVersions = (db: Queryable, agreementId: number) =>
  db('text_versions')
    .join('users', 'users.id', 'text_versions.created_by')
    .where('text_versions.agreement_id', agreementId)
    .select('text_versions.version', 'text_versions.document', 'text_versions.content_hash', 'users.email', 'text_versions.created_at', 'text_versions.change');

/** Appends a version of the text; rows are never updated. Call inside the change's transaction. */
export async function insertTextVersion(
  db: Queryable,
  agreementId: number,
  entry: { version: number; text: AgreementText; contentHash: string; userId: number; at: string; change: TextChange },
): Promise<void> {
  await db('text_versions').insert({
    agreement_id: agreementId,
    version: entry.version,
    document: JSON.stringify(entry.text),
    content_hash: entry.contentHash,
    created_by: entry.userId,
    created_at: entry.at,
    change: JSON.stringify(entry.change),
  });
}

/** The text as it stood at an agreement version (the latest text written at or before it); the current text without one. */
export async function findTextAt(db: Queryable, agreementId: number, version?: number): Promise<TextVersion | undefined> {
  const query = selectVersions(db, agreementId).orderBy('text_versions.version', 'desc').first();
  if (version !== undefined) query.andWhere('text_versions.version', '<=', version);
  const row = await query;
  return row && toVersion(row);
}

/** Every version of the text, oldest first, without the texts themselves. */
export async function listTextVersions(db: Queryable, agreementId: number): Promise<Omit<TextVersion, 'text'>[]> {
  const rows: TextVersionRow[] = await selectVersions(db, agreementId).orderBy('text_versions.version');
  return rows.map(({ version, content_hash, email, created_at, change }) => ({
    version,
    contentHash: content_hash,
    createdBy: email,
    createdAt: created_at,
    change: JSON.parse(change),
  }));
}

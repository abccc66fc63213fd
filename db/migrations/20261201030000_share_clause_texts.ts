import type { Knex } from 'knex';
import {
  findClauseTexts,
  joinClauseTexts,
  manifestHashes,
  splitClauseTexts,
  storeClauseTexts,
  type TextManifest,
} from '../repositories/clause-texts.repository.ts';

// Rows converted per round trip: bounded memory however long the history is.
const BATCH = 200;

/**
 * Each version of a text stored its whole text (`text_versions.document`): 400 edits of one clause
 * copied the whole agreement 400 times. Versions now store a manifest, the text with each clause
 * language's text replaced by its SHA-256, and each distinct text is stored once in `clause_texts`.
 * Existing versions are converted in place, member for member, so every one rebuilds exactly.
 * The split and join are the repository's own, so stored and converted versions cannot differ; a
 * later change of the manifest's format needs a migration of its own.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('clause_texts', (table) => {
    table.string('sha256', 64).primary();
    table.text('text').notNullable();
  });
  await knex.schema.alterTable('text_versions', (table) => {
    table.text('manifest').nullable();
  });

  for (;;) {
    const rows: { agreement_id: number; version: number; document: string }[] = await knex('text_versions')
      .whereNull('manifest')
      .orderBy(['agreement_id', 'version'])
      .limit(BATCH)
      .select('agreement_id', 'version', 'document');
    if (rows.length === 0) break;
    for (const row of rows) {
      const { manifest, texts } = splitClauseTexts(JSON.parse(row.document));
      await storeClauseTexts(knex, texts);
      await knex('text_versions')
        .where({ agreement_id: row.agreement_id, version: row.version })
        .update({ manifest: JSON.stringify(manifest) });
    }
  }

  await knex.schema.alterTable('text_versions', (table) => {
    table.dropNullable('manifest');
    table.dropColumn('document');
  });
}

/** Writes every version's whole text back, then forgets the shared texts. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('text_versions', (table) => {
    table.text('document').nullable();
  });

  for (;;) {
    const rows: { agreement_id: number; version: number; manifest: string }[] = await knex('text_versions')
      .whereNull('document')
      .orderBy(['agreement_id', 'version'])
      .limit(BATCH)
      .select('agreement_id', 'version', 'manifest');
    if (rows.length === 0) break;
    for (const row of rows) {
      const manifest: TextManifest = JSON.parse(row.manifest);
      const document = joinClauseTexts(manifest, await findClauseTexts(knex, manifestHashes(manifest)));
      await knex('text_versions')
        .where({ agreement_id: row.agreement_id, version: row.version })
        .update({ document: JSON.stringify(document) });
    }
  }

  await knex.schema.alterTable('text_versions', (table) => {
    table.dropNullable('document');
    table.dropColumn('manifest');
  });
  await knex.schema.dropTable('clause_texts');
}

import type { Knex } from 'knex';

/**
 * When the last party signed, kept on the agreement (null until every party has), so the register can
 * sort by it through an index: computed from the signatures for each agreement on each page, a sort
 * over 100,000 agreements took 0.2-1.4 s. signatures.repository.ts keeps it as signatures are added;
 * this fills it for the agreements signed before. The index is on COALESCE(signed_at, ''), the
 * register's sort key (unsigned last when the latest come first).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('agreements', (table) => {
    table.string('signed_at', 32).nullable();
  });
  await knex.raw(`
    UPDATE agreements SET signed_at = (
      SELECT MAX(s.signed_at) FROM signatures s WHERE s.agreement_id = agreements.id
      HAVING COUNT(*) = (SELECT COUNT(*) FROM agreement_parties p WHERE p.agreement_id = agreements.id)
    )`);
  await knex.raw(`CREATE INDEX agreements_signed_sort_index ON agreements ((COALESCE(signed_at, '')), id)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX agreements_signed_sort_index');
  // Plain DROP COLUMN (SQLite 3.35+ and PostgreSQL): knex would rebuild the table on SQLite, which the
  // foreign keys of every table that names an agreement refuse.
  await knex.raw('ALTER TABLE agreements DROP COLUMN signed_at');
}

import type { Knex } from 'knex';

/**
 * `agreement_titles` gets a row for every reader language, so the register sorted by title walks its
 * (lang, title, agreement_id) index instead of sorting every agreement (0.2-1.4 s at 100,000): a
 * language the agreement's text lacks gets its name, marked `from_text` false, which is the title the
 * list shows for it anyway. Readers' titles (agreement-titles.ts) still take only the text's own.
 * Agreements not indexed yet keep no row, so the server still finds and indexes them at start.
 */
/** The reader languages when this migration was written (db/stored-shapes.ts LANGUAGES then). */
const READER_LANGUAGES = ['ru', 'ko', 'en'];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('agreement_titles', (table) => {
    table.boolean('from_text').notNullable().defaultTo(true);
  });
  const languages = READER_LANGUAGES.map((lang) => `SELECT '${lang}' AS lang`).join(' UNION ALL ');
  await knex.raw(
    `
    INSERT INTO agreement_titles (agreement_id, lang, title, from_text)
    SELECT agreements.id, languages.lang, agreements.title, ?
    FROM agreements CROSS JOIN (${languages}) AS languages
    WHERE EXISTS (SELECT 1 FROM agreement_titles titled WHERE titled.agreement_id = agreements.id)
      AND NOT EXISTS (
        SELECT 1 FROM agreement_titles existing WHERE existing.agreement_id = agreements.id AND existing.lang = languages.lang
      )`,
    [false],
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex('agreement_titles').where({ from_text: false }).delete();
  await knex.raw('ALTER TABLE agreement_titles DROP COLUMN from_text');
}

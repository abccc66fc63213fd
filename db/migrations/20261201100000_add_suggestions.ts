import type { Knex } from 'knex';

/**
 * Suggestions: a proposed text of one clause in one language, made on the text as it stood (its base),
 * accepted, rejected or withdrawn once. Comments can be anchored to a suggestion (its thread).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('suggestions', (table) => {
    table.increments('id').primary();
    table.integer('agreement_id').notNullable().references('agreements.id').onDelete('CASCADE');
    table.string('clause_key', 64).notNullable();
    table.string('lang', 8).notNullable();
    table.integer('author_id').notNullable().references('users.id');
    table.string('party_key', 64).notNullable().references('parties.key');
    // The agreement's version and the clause's editable text the suggestion was made on.
    table.integer('base_version').notNullable();
    table.text('base_text').notNullable();
    table.text('text').notNullable();
    // The word-level changes from base_text to text, as the suggester's language reads them (JSON).
    table.text('changes').notNullable();
    // open | accepted | rejected | withdrawn; "outdated" is an open one whose base is no longer the text.
    table.string('state', 16).notNullable();
    table.string('created_at', 32).notNullable();
    table.integer('decided_by').nullable().references('users.id');
    table.string('decided_at', 32).nullable();
    // The agreement version an accepted suggestion made.
    table.integer('accepted_version').nullable();
    table.index(['agreement_id', 'clause_key', 'lang']);
  });
  await knex.schema.alterTable('comments', (table) => {
    // A comment in a suggestion's thread; no foreign key, so SQLite adds the column without rebuilding the table.
    table.integer('suggestion_id').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('comments', (table) => {
    table.dropColumn('suggestion_id');
  });
  await knex.schema.dropTable('suggestions');
}

import type { Knex } from 'knex';

/**
 * Accounts: a user's chosen interface language, and three kinds of access token in one table:
 * API sessions (POST /api/sessions), web sessions (the cookie) and named API tokens for integrations,
 * which their owner lists and revokes by a public id (the token itself is stored only as its hash).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (table) => {
    // Null: the interface follows the user's party's language.
    table.string('locale', 8).nullable();
  });
  await knex.schema.alterTable('access_tokens', (table) => {
    // Tokens issued before this migration were API sessions.
    table.string('kind', 16).notNullable().defaultTo('api-session');
    table.string('public_id', 32).nullable().unique();
    table.text('name').nullable();
    table.index(['user_id', 'kind']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('access_tokens', (table) => {
    table.dropIndex(['user_id', 'kind']);
    table.dropUnique(['public_id']);
    table.dropColumn('name');
    table.dropColumn('public_id');
    table.dropColumn('kind');
  });
  // Plain DROP COLUMN (SQLite 3.35+ and PostgreSQL): knex would rebuild the users table on SQLite,
  // which the foreign keys of every table that names a user refuse.
  await knex.raw('ALTER TABLE users DROP COLUMN locale');
}

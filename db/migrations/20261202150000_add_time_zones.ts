import type { Knex } from 'knex';

/**
 * The time zone times are shown in: each party's (an IANA name such as Asia/Seoul, UTC until an
 * operator sets it) and, when a user chose one on the account page, the user's (null: their party's).
 * Times stay stored in UTC; only the pages and mails read them in a zone.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('parties', (table) => {
    table.string('time_zone', 64).notNullable().defaultTo('UTC');
  });
  await knex.schema.alterTable('users', (table) => {
    table.string('time_zone', 64).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  // Plain DROP COLUMN (SQLite 3.35+ and PostgreSQL): knex would rebuild the tables on SQLite, which the
  // foreign keys of every table that names a user or a party refuse.
  await knex.raw('ALTER TABLE users DROP COLUMN time_zone');
  await knex.raw('ALTER TABLE parties DROP COLUMN time_zone');
}

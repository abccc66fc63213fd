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
  await knex.schema.alterTable('users', (table) => {
    table.dropColumn('time_zone');
  });
  await knex.schema.alterTable('parties', (table) => {
    table.dropColumn('time_zone');
  });
}

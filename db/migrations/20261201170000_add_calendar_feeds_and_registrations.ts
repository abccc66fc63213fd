import type { Knex } from 'knex';

/**
 * The register's calendar feeds and registration records.
 *
 * `calendar_feeds`: a user's secret iCalendar feed URL (only the SHA-256 of its token is kept), so a
 * calendar application that cannot sign in reads the dates that bind the user's party; revoked by
 * deleting the row.
 *
 * `registrations`: what a party's registration of an executed agreement records (for a Russian region
 * the federal registration of its international agreement, Federal Law 4-FZ art. 9, Government Decree
 * 552): the authority, when it was submitted, and the number and date of registration.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('calendar_feeds', (table) => {
    table.increments('id').primary();
    table.string('public_id', 32).notNullable().unique();
    table.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    table.string('token_hash', 64).notNullable().unique();
    table.string('created_at', 32).notNullable();
    table.index(['user_id']);
  });
  await knex.schema.createTable('registrations', (table) => {
    table.integer('agreement_id').notNullable().references('agreements.id').onDelete('CASCADE');
    table.string('party_key', 64).notNullable().references('parties.key');
    table.text('authority').notNullable();
    // YYYY-MM-DD; null until it happened.
    table.string('submitted_on', 10).nullable();
    table.string('number', 100).nullable();
    table.string('registered_on', 10).nullable();
    table.integer('recorded_by').notNullable().references('users.id');
    table.string('recorded_at', 32).notNullable();
    table.primary(['agreement_id', 'party_key']);
    table.index(['number']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('registrations');
  await knex.schema.dropTable('calendar_feeds');
}
